import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraTestSupport

/// Builds a bucket of real blocks (uploaded as the shipper does: data files first,
/// `meta.json` last), one deletion mark, one partial upload and things that are not
/// blocks; then checks what the manifest makes of it and what it cost.
enum ManifestCheck {
    static let hour: Int64 = 3_600_000
    static let t0: Int64 = 1_700_000_000_000

    static func run(_ base: any ObjectStore, scratch: TempDir) async throws {
        var metas: [BlockMeta] = []
        for k in 0..<3 {
            let meta = try writeBlock(in: scratch.path, minTime: t0 + Int64(k) * 2 * hour, seed: UInt64(k + 1))
            try await upload(base, from: scratch.path + "/" + meta.ulid.description, ulid: meta.ulid)
            metas.append(meta)
        }
        let marked = metas[1].ulid
        let mark = DeletionMark(id: marked, deletionTime: Date(timeIntervalSince1970: 1_700_100_000))
        try await base.put(DeletionMark.key(for: marked), bytes: try mark.encoded())
        // An upload cut short: chunks but no meta.json.
        let partial = ULID(milliseconds: 1_700_000_500_000)
        try await base.put(partial.description + "/chunks/000001", bytes: [UInt8](repeating: 7, count: 100))
        try await base.put(partial.description + "/index", bytes: [UInt8](repeating: 8, count: 20))
        // Not blocks: a foreign prefix and objects at the root.
        try await base.put("other-tool/data.bin", bytes: [1, 2, 3])
        try await base.put("compactor.lock", bytes: Array("{}".utf8))

        let store = CountingObjectStore(base)
        let written = Date(timeIntervalSince1970: 1_700_200_000.25)
        let manifest = try await BucketManifest.build(from: store, writtenAt: written, concurrency: 2)

        #expect(manifest.version == 1)
        #expect(manifest.writtenAtMs == 1_700_200_000_250)
        #expect(manifest.blocks.map(\.meta) == metas, "every block with its full meta, by minTime")
        #expect(manifest.blocks.map(\.deletionMark) == [nil, mark, nil])
        #expect(manifest.liveBlocks.map(\.meta.ulid) == [metas[0].ulid, metas[2].ulid])
        #expect(manifest.unreadable.isEmpty, "\(manifest.unreadable)")
        #expect(manifest.partialUploads.count == 1)
        if let p = manifest.partialUploads.first {
            #expect(p.ulid == partial)
            #expect(p.objects == 2)
            #expect(p.size == 120)
            #expect(abs(p.lastModified.timeIntervalSinceNow) < 600)
        }
        // One LIST of the root and one of the partial prefix; per block prefix a GET of
        // meta.json and of deletion-mark.json (found or not).
        var expected = RequestCounts()
        expected[.list] = 2
        expected[.get] = 3 * 2 + 1
        #expect(store.reset() == expected, "\(store.counts)")

        try await manifest.write(to: store)
        let read = try await BucketManifest.read(from: store)
        #expect(read == manifest)
        var writeAndRead = RequestCounts()
        writeAndRead[.put] = 1
        writeAndRead[.get] = 1
        #expect(store.counts == writeAndRead, "a reader pays one GET, no LIST: \(store.counts)")
        #expect(store.counts.description == "LIST 0, GET 1, PUT 1, HEAD 0, DELETE 0")

        // Built again, the manifest now in the bucket is not taken for a block.
        let again = try await BucketManifest.build(from: store, writtenAt: written)
        #expect(again == manifest)

        try await unreadableBlocks(base, metas: metas)
    }

    /// A meta.json that does not parse and a deletion mark of another version: neither
    /// block is given to readers, and both are named.
    static func unreadableBlocks(_ store: any ObjectStore, metas: [BlockMeta]) async throws {
        try await store.put(metas[0].ulid.description + "/" + BlockMeta.fileName, bytes: Array("{\"ulid\":".utf8))
        try await store.put(DeletionMark.key(for: metas[2].ulid), bytes: Array("{\"id\":\"\(metas[2].ulid)\",\"deletion_time\":1,\"version\":9}".utf8))
        let manifest = try await BucketManifest.build(from: store)
        #expect(manifest.blocks.map(\.meta.ulid) == [metas[1].ulid])
        #expect(manifest.unreadable.map(\.ulid) == [metas[0].ulid, metas[2].ulid].sorted())
        let problems = manifest.unreadable.map(\.problem).joined(separator: " | ")
        #expect(problems.contains("meta.json") && problems.contains("version 9"), "\(problems)")
    }

    static func writeBlock(in dir: String, minTime: Int64, seed: UInt64) throws -> BlockMeta {
        var rng = SeededRandom(seed: seed)
        var series: [(labels: Labels, chunks: [SeriesChunk])] = []
        for i in 0..<5 {
            var t = minTime + Int64.random(in: 0...15_000, using: &rng)
            var samples: [Sample] = []
            while t < minTime + 2 * hour {
                samples.append(Sample(t: t, v: Double(Int.random(in: 0...1000, using: &rng))))
                t += 15_000
            }
            series.append((Labels(["__name__": "up", "instance": "host\(i)"]), try SampleChunker.chunks(samples)))
        }
        return try BlockWriter.write(parentDirectory: dir, minTime: minTime, maxTime: minTime + 2 * hour, series: series)
    }

    /// Data files first, meta.json last, as `BlockUpload` does in the server.
    static func upload(_ store: any ObjectStore, from local: String, ulid: ULID) async throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: local).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: local + "/" + $0, isDirectory: &isDir) && !isDir.boolValue
                && $0 != BlockMeta.fileName
        }.sorted()
        for file in files { try await store.putFile(ulid.description + "/" + file, path: local + "/" + file) }
        try await store.putFile(ulid.description + "/" + BlockMeta.fileName, path: local + "/" + BlockMeta.fileName)
    }
}
