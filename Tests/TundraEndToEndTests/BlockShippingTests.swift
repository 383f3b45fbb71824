import Foundation
import Logging
import Testing
import TundraBlock
import TundraModel
import TundraObjectStore
import TundraTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The head cut into blocks and shipped by the real `tundra serve`: to the filesystem
/// bucket, to SeaweedFS over S3, on a flush, and across SIGKILLs.
@Suite(.serialized)
struct BlockShippingTests {
    static let t0: Int64 = 1_800_000_000_000
    static let minute: Int64 = 60_000

    static func config(_ dir: TempDir, bucket: String = "") throws -> String {
        let path = dir.path + "/tundra.yml"
        try """
        head:
          block_range: 1m
          late_window: 20s
        blocks:
          check_interval: 200ms
          local_retention: forever
        \(bucket)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `count` series with a sample every 5 s over [from, to).
    static func data(series count: Int, from: Int64, to: Int64) -> [SeriesSamples] {
        (0..<count).map { i in
            SeriesSamples(
                labels: Labels(["__name__": "room_temp", "room": "r\(i)"]),
                samples: stride(from: from, to: to, by: 5_000).map { Sample(t: $0, v: Double(i) * 100 + Double($0 - t0) / 1000) })
        }
    }

    static func write(_ server: TundraServerProcess, _ series: [SeriesSamples]) async throws {
        let (status, _, body) = try await HTTP.post(
            server.baseURL + "/api/v1/write", body: try RemoteWriteBody.v1(series), headers: RemoteWriteBody.v1Headers)
        guard status == 204 else { throw TestFailure("write answered \(status): \(String(decoding: body, as: UTF8.self))") }
    }

    /// Every sample in the blocks under `dir` (one folder per block), by series, in
    /// time order, with exact repeats removed.
    static func samples(inBlocksUnder dir: String) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for ulid in try BlockDirectory.blocks(in: dir) {
            let reader = try BlockReader(directory: dir + "/" + ulid.description)
            for s in try reader.select(matchers: [try Matcher(.regexMatch, "__name__", ".+")]) {
                out[s.labels, default: []] += try reader.samples(of: s)
            }
        }
        return out.mapValues { list in
            var seen: [Sample] = []
            for s in list.sorted(by: { $0.t < $1.t }) where !(seen.last.map { $0.t == s.t && $0.v == s.v } ?? false) { seen.append(s) }
            return seen
        }
    }

    static func metaCount(_ bucketDir: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: bucketDir)) ?? []
        return entries.filter { FileManager.default.fileExists(atPath: bucketDir + "/" + $0 + "/meta.json") }.count
    }

    @Test(.timeLimit(.minutes(3)))
    func theHeadIsCutIntoBlocksAndShippedToTheFilesystemBucket() async throws {
        let dir = try TempDir("ship-fs")
        defer { dir.remove() }
        let data = dir.path + "/data"
        let server = try await TundraServerProcess(dataDir: data, extraArgs: ["--config", try Self.config(dir)])
        defer { server.stop() }
        let sent = Self.data(series: 20, from: Self.t0, to: Self.t0 + 5 * Self.minute)
        try await Self.write(server, sent)

        // 5 minutes of 1-minute ranges: the oldest ranges are cut and shipped on their own.
        let deadline = ContinuousClock.now + .seconds(30)
        while Self.metaCount(data + "/bucket") < 3 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(Self.metaCount(data + "/bucket") >= 3, "blocks shipped without a flush; log: \(server.log)")
        let inBucketBeforeFlush = try Self.samples(inBlocksUnder: data + "/bucket")
        #expect(inBucketBeforeFlush.values.allSatisfy { $0.allSatisfy { $0.t < Self.t0 + 4 * Self.minute } })

        let (status, _, body) = try await HTTP.post(server.baseURL + "/api/v1/admin/flush", body: Data())
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let blocks = try #require((json["data"] as? [String: Any])?["blocks"] as? [[String: Any]])
        #expect(!blocks.isEmpty)

        let shipped = try Self.samples(inBlocksUnder: data + "/bucket")
        #expect(shipped.count == sent.count)
        for s in sent { #expect(shipped[s.labels] == s.samples, "\(s.labels)") }
        #expect(try Dump.read(dataDir: data).isEmpty == false, "dump reads the local blocks")
        let headOnly = try TundraBinary.run(["tools", "dump", "--data-dir", data, "--head-only"])
        #expect(headOnly.stdout.isEmpty, "a flush leaves the head empty")
        // Blocks stay readable by Prometheus' own tools.
        let analyze = try Command.run("/usr/bin/promtool", ["tsdb", "analyze", data + "/bucket"])
        #expect(analyze.status == 0, "\(analyze.stdout)\(analyze.stderr)")
    }

    @Test(.timeLimit(.minutes(3)))
    func aFlushShipsToSeaweedFSOverS3() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let dir = try TempDir("ship-s3")
        defer { dir.remove() }
        let bucket = weed.bucketYAML
        let data = dir.path + "/data"
        let server = try await TundraServerProcess(dataDir: data, extraArgs: ["--config", try Self.config(dir, bucket: bucket)])
        defer { server.stop() }
        let sent = Self.data(series: 10, from: Self.t0, to: Self.t0 + 150_000)
        try await Self.write(server, sent)
        let (status, _, body) = try await HTTP.post(server.baseURL + "/api/v1/admin/flush", body: Data())
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self)); log: \(server.log)")

        // Download what is in the bucket and read it back.
        var s3 = S3BucketConfig(bucket: weed.bucket, endpoint: weed.endpoint)
        s3.insecure = true
        s3.accessKey = weed.accessKey
        s3.secretKey = weed.secretKey
        let store = try makeObjectStore(.s3(s3), dataDir: dir.path, logger: Logger(label: "test"))
        let listing = try await store.list(prefix: "", delimiter: "/")
        #expect(listing.commonPrefixes.count >= 3, "\(listing)")
        let local = dir.path + "/downloaded"
        for prefix in listing.commonPrefixes {
            for object in try await store.list(prefix: prefix).objects {
                let path = local + "/" + object.key
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(try await store.get(object.key)).write(to: URL(fileURLWithPath: path))
            }
        }
        let shipped = try Self.samples(inBlocksUnder: local)
        for s in sent { #expect(shipped[s.labels] == s.samples, "\(s.labels)") }
    }

    /// SIGKILL while cuts, uploads and flushes are under way: every acknowledged sample
    /// is afterwards in a block in the bucket or in the head, none is lost.
    @Test(.timeLimit(.minutes(5)))
    func killsDuringCutsAndUploadsLoseNothing() async throws {
        let dir = try TempDir("ship-kill")
        defer { dir.remove() }
        let data = dir.path + "/data"
        let config = try Self.config(dir)
        var rng = SeededRandom(seed: UInt64.random(in: 1...UInt64.max))
        var acked: [Labels: [Sample]] = [:]
        var t = Self.t0
        for round in 0..<10 {
            let server = try await TundraServerProcess(dataDir: data, extraArgs: ["--config", config])
            // Each round moves time on by 40 s, so a cut is due most rounds.
            for part in 0..<4 {
                let batch = Self.data(series: 8, from: t, to: t + 10_000)
                try await Self.write(server, batch)
                for s in batch { acked[s.labels, default: []] += s.samples }
                t += 10_000
                if part == Int.random(in: 0..<4, using: &rng) {
                    let url = server.baseURL + "/api/v1/admin/flush"
                    Task { _ = try? await HTTP.post(url, body: Data()) }
                }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...400, using: &rng)))
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
            _ = round
        }
        let server = try await TundraServerProcess(dataDir: data, extraArgs: ["--config", config])
        let (status, _, _) = try await HTTP.post(server.baseURL + "/api/v1/admin/flush", body: Data())
        #expect(status == 200)
        server.stop()

        let stored = try Self.samples(inBlocksUnder: data + "/bucket")
        let inHead = try Dump.read(dataDir: data)
        for (labels, samples) in acked {
            let found = Set((stored[labels] ?? []).map(\.t)).union((inHead[Dump.key(labels)] ?? []).map(\.t))
            let missing = samples.filter { !found.contains($0.t) }
            #expect(missing.isEmpty, "\(labels): \(missing.count) acknowledged samples lost, first \(missing.first.map { "\($0)" } ?? "")")
            // Where a sample is stored twice (a crash between a cut and the WAL checkpoint), it is the same.
            let byTime = Dictionary(samples.map { ($0.t, $0.v) }, uniquingKeysWith: { a, _ in a })
            #expect((stored[labels] ?? []).allSatisfy { byTime[$0.t] == $0.v })
        }
    }
}
