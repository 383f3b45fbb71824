import Foundation
import Logging
import Testing
import TundraBlock
import TundraModel
import TundraObjectStore
import TundraTestSupport

/// `tundra tools bucket ls | inspect | verify` run as the binary, on blocks made by a
/// backfill: in the default filesystem bucket, then in SeaweedFS over S3.
@Suite struct BucketToolsTests {
    /// A data folder whose bucket holds the 6 hours of ``BackfillTests/history()``: four blocks.
    static func backfilled(_ dir: TempDir, extra: [String] = []) throws -> String {
        let data = dir.path + "/data"
        try BackfillTests.history().text.write(toFile: dir.path + "/history.om", atomically: true, encoding: .utf8)
        let r = try TundraBinary.run(["tools", "import", "--from", "openmetrics", "--data-dir", data, dir.path + "/history.om"] + extra)
        guard r.status == 0 else { throw TestFailure("backfill failed: \(r.stderr)") }
        return data
    }

    static func bucketTool(_ args: [String], data: String, extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try TundraBinary.run(["tools", "bucket"] + args + ["--data-dir", data] + extra)
    }

    /// The JSON of `ls`, as far as these tests read it.
    struct Listing: Decodable {
        struct Block: Decodable {
            var meta: BlockMeta
            var size: Int64
        }
        struct Partial: Decodable { var prefix: String }
        var blocks: [Block]
        var partialUploads: [Partial]
    }

    @Test func lsListsTheBlocksWithTheirStatsInTextAndJSON() throws {
        let dir = try TempDir("bucket-ls")
        defer { dir.remove() }
        let data = try Self.backfilled(dir)
        let bucket = data + "/bucket"
        let metas = try BlockDirectory.blocks(in: bucket).map { try BlockReader(directory: bucket + "/" + $0.description).meta }
            .sorted { $0.minTime < $1.minTime }
        #expect(metas.count == 4)

        let text = try Self.bucketTool(["ls"], data: data)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ULID") == true, "\(text.stdout)")
        for (i, meta) in metas.enumerated() {
            let cells = lines[i + 1].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(cells[0] == meta.ulid.description, "sorted by minTime: \(text.stdout)")
            #expect(cells[1] == ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(meta.minTime) / 1000)))
            #expect(cells[3] == "2h" && cells[4] == "raw" && cells[5] == "1" && cells[6] == "import")
            #expect(cells[7] == "\(meta.stats.numSeries)" && cells[8] == "\(meta.stats.numSamples)")
        }
        #expect(text.stdout.contains("4 blocks, 1080 samples"), "\(text.stdout)")

        let json = try Self.bucketTool(["ls", "--json"], data: data)
        #expect(json.status == 0, "\(json.stderr)")
        let listing = try JSONDecoder().decode(Listing.self, from: Data(json.stdout.utf8))
        #expect(listing.blocks.map(\.meta) == metas)
        #expect(listing.blocks.allSatisfy { $0.size > 0 } && listing.partialUploads.isEmpty)
    }

    @Test func inspectShowsTheLabelsOfABlock() throws {
        let dir = try TempDir("bucket-inspect")
        defer { dir.remove() }
        let data = try Self.backfilled(dir)
        let ulid = try #require(try BlockDirectory.blocks(in: data + "/bucket").first)
        let r = try Self.bucketTool(["inspect", ulid.description], data: data)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("block \(ulid)"))
        #expect(r.stdout.contains("series:"), "\(r.stdout)")
        #expect(r.stdout.range(of: #"\n\s+code\s+2\n"#, options: .regularExpression) != nil, "code has two values: \(r.stdout)")
        #expect(r.stdout.range(of: #"\n\s+http_requests_total\s+2\n"#, options: .regularExpression) != nil, "\(r.stdout)")

        let json = try Self.bucketTool(["inspect", ulid.description, "--json"], data: data)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let labels = object?["labels"] as? [[String: Any]] ?? []
        #expect(labels.contains { $0["name"] as? String == "code" && $0["values"] as? Int == 2 }, "\(json.stdout)")

        let missing = try Self.bucketTool(["inspect", ULID(milliseconds: 1).description], data: data)
        #expect(missing.status != 0 && missing.stderr.contains("no block"), "\(missing.stderr)")
    }

    @Test func verifyPassesOnGoodBlocksAndNamesEachDamage() throws {
        let dir = try TempDir("bucket-verify")
        defer { dir.remove() }
        let data = try Self.backfilled(dir)
        let bucket = data + "/bucket"
        let good = try Self.bucketTool(["verify"], data: data)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("OK: 4 blocks verified"), "\(good.stdout)")

        let blocks = try BlockDirectory.blocks(in: bucket)
        // A flipped byte near the end of a chunk segment: inside the last chunk or its CRC.
        let segment = bucket + "/\(blocks[1])/chunks/000001"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[bytes.count - 6] ^= 0x5A
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        // No index.
        try FileManager.default.removeItem(atPath: bucket + "/\(blocks[2])/index")
        // An upload that never reached meta.json.
        let partial = ULID(milliseconds: 1_700_000_000_000)
        try FileManager.default.createDirectory(atPath: bucket + "/\(partial)/chunks", withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: bucket + "/\(partial)/chunks/000001"))

        let bad = try Self.bucketTool(["verify"], data: data)
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        let out = bad.stdout
        #expect(out.contains("block \(blocks[0]): ok"), "\(out)")
        #expect(out.range(of: "block \(blocks[1]): [0-9]+ problems?\n  chunk: checksum: .*\\(chunks/000001 at offset", options: .regularExpression) != nil, "\(out)")
        #expect(out.contains("block \(blocks[2]): 1 problem\n  missing-file: the block has no index (index)"), "\(out)")
        #expect(out.contains("partial upload \(partial): 1 object,"), "\(out)")
        #expect(out.contains("FAILED: 2 of 4 blocks with problems, 1 partial upload"), "\(out)")

        // One block alone, and JSON.
        let one = try Self.bucketTool(["verify", blocks[0].description], data: data)
        #expect(one.status == 0 && one.stdout.contains("OK: 1 block verified"), "\(one.stdout)")
        let json = try Self.bucketTool(["verify", "--json"], data: data)
        #expect(json.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["ok"] as? Bool == false)
        let damaged = (report?["blocks"] as? [[String: Any]] ?? []).filter { !(($0["problems"] as? [Any]) ?? []).isEmpty }
        #expect(Set(damaged.compactMap { $0["ulid"] as? String }) == [blocks[1].description, blocks[2].description])
    }

    @Test(.timeLimit(.minutes(3)))
    func verifyReadsASeaweedFSBucket() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let dir = try TempDir("bucket-s3")
        defer { dir.remove() }
        let config = dir.path + "/tundra.yml"
        try weed.bucketYAML.write(toFile: config, atomically: true, encoding: .utf8)
        let data = try Self.backfilled(dir, extra: ["--config", config])

        let ls = try Self.bucketTool(["ls"], data: data, extra: ["--config", config])
        #expect(ls.status == 0 && ls.stdout.contains("4 blocks, 1080 samples"), "\(ls.stdout)\(ls.stderr)")
        let good = try Self.bucketTool(["verify"], data: data, extra: ["--config", config])
        #expect(good.status == 0 && good.stdout.contains("OK: 4 blocks verified"), "\(good.stdout)\(good.stderr)")

        // Damage one chunk segment in the bucket itself.
        var s3 = S3BucketConfig(bucket: weed.bucket, endpoint: weed.endpoint)
        s3.insecure = true
        s3.accessKey = weed.accessKey
        s3.secretKey = weed.secretKey
        let store = try makeObjectStore(.s3(s3), dataDir: dir.path, logger: Logger(label: "test"))
        let first = try #require(try await store.list(prefix: "", delimiter: "/").commonPrefixes.first)
        var bytes = try await store.get(first + "chunks/000001")
        bytes[bytes.count - 6] ^= 0x5A
        try await store.put(first + "chunks/000001", bytes: bytes)

        let bad = try Self.bucketTool(["verify"], data: data, extra: ["--config", config])
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stdout.contains("block \(first.dropLast()): "), "\(bad.stdout)")
        #expect(bad.stdout.contains("chunk: checksum"), "\(bad.stdout)")
    }
}
