import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraObjectStore
import TundraTestSupport

@Suite struct BucketManifestTests {
    @Test func filesystem() async throws {
        let dir = try TempDir("manifest-fs")
        defer { dir.remove() }
        try await ManifestCheck.run(try TestStores.filesystem(dir), scratch: dir)
    }

    @Test func seaweedFS() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let scratch = try TempDir("manifest-s3")
        defer { scratch.remove() }
        try await ManifestCheck.run(try TestStores.seaweed(weed), scratch: scratch)
    }

    @Test func emptyBucket() async throws {
        let dir = try TempDir("manifest-empty")
        defer { dir.remove() }
        let store = try TestStores.filesystem(dir)
        let manifest = try await BucketManifest.build(from: store, writtenAt: Date(timeIntervalSince1970: 0))
        #expect(manifest.blocks.isEmpty && manifest.partialUploads.isEmpty && manifest.unreadable.isEmpty)
        await #expect(throws: ManifestError.notFound(key: BucketManifest.defaultKey)) {
            try await BucketManifest.read(from: store)
        }
    }

    /// The bytes docs/format/manifest.md shows.
    @Test func exactBytes() throws {
        let ulid = try ULID(parsing: "01HF7YAT00VJ7Q4M1W4Z5X9G3C")
        let meta = BlockMeta(
            ulid: ulid, minTime: 1_700_000_000_000, maxTime: 1_700_007_200_000,
            stats: BlockStats(numSamples: 1200, numSeries: 10, numChunks: 20),
            compaction: BlockCompaction(level: 1, sources: [ulid]),
            tundra: TundraBlockInfo(source: .head, chunkEncodings: [1]))
        let partial = try ULID(parsing: "01HF7YB1Q0000000000000000A")
        let manifest = BucketManifest(
            writtenAt: Date(timeIntervalSince1970: 1_700_010_000),
            blocks: [.init(meta: meta, deletionMark: DeletionMark(id: ulid, deletionTime: Date(timeIntervalSince1970: 1_700_009_000)))],
            partialUploads: [.init(ulid: partial, objects: 2, size: 120, lastModified: Date(timeIntervalSince1970: 1_700_009_500))])
        let text = String(decoding: try manifest.encoded(), as: UTF8.self)
        let expected = #"{"blocks":[{"deletion_mark":{"deletion_time":1700009000,"id":"01HF7YAT00VJ7Q4M1W4Z5X9G3C","version":1},"#
            + #""meta":{"compaction":{"level":1,"sources":["01HF7YAT00VJ7Q4M1W4Z5X9G3C"]},"maxTime":1700007200000,"#
            + #""minTime":1700000000000,"stats":{"numChunks":20,"numSamples":1200,"numSeries":10},"#
            + #""tundra":{"chunk_encodings":[1],"resolution":0,"source":"head"},"ulid":"01HF7YAT00VJ7Q4M1W4Z5X9G3C","version":1}}],"#
            + #""partial_uploads":[{"last_modified_ms":1700009500000,"objects":2,"size":120,"ulid":"01HF7YB1Q0000000000000000A"}],"#
            + #""unreadable":[],"version":1,"written_at_ms":1700010000000}"# + "\n"
        #expect(text == expected)
        #expect(try BucketManifest.decode(Array(text.utf8)) == manifest)
    }

    @Test func unknownVersionsAreRefused() throws {
        do {
            _ = try BucketManifest.decode(Array(#"{"version":2,"blocks":"whatever"}"#.utf8), key: "m.json")
            Issue.record("read a version 2 manifest")
        } catch {
            #expect(error == .unsupportedVersion(key: "m.json", found: 2, supported: 1))
            #expect(error.description == "m.json: version 2, this build reads version 1")
        }
        #expect(throws: ManifestError.self) { try BucketManifest.decode(Array("[]".utf8)) }
        // A block meta inside of a version its own reader refuses.
        let inner = #"{"blocks":[{"meta":{"ulid":"01HF7YAT00VJ7Q4M1W4Z5X9G3C","minTime":0,"maxTime":1,"version":2}}],"#
            + #""partial_uploads":[],"unreadable":[],"version":1,"written_at_ms":0}"#
        do {
            _ = try BucketManifest.decode(Array(inner.utf8))
            Issue.record("read a manifest holding a version 2 meta")
        } catch {
            #expect(error.description.contains("01HF7YAT00VJ7Q4M1W4Z5X9G3C meta: version 2"), "\(error)")
        }
    }

    @Test func deletionMarkReadsThanosMarks() throws {
        let thanos = #"{"id":"01HF7YAT00VJ7Q4M1W4Z5X9G3C","deletion_time":1700000000,"version":1,"details":"retention"}"#
        let mark = try DeletionMark.decode(Array(thanos.utf8), key: "k")
        #expect(mark.id.description == "01HF7YAT00VJ7Q4M1W4Z5X9G3C")
        #expect(mark.deletionTime == 1_700_000_000)
        #expect(String(decoding: try mark.encoded(), as: UTF8.self) == #"{"deletion_time":1700000000,"id":"01HF7YAT00VJ7Q4M1W4Z5X9G3C","version":1}"# + "\n")
    }
}

@Suite struct RequestCountsTests {
    @Test func countsPerPass() async throws {
        let dir = try TempDir("counts")
        defer { dir.remove() }
        let store = CountingObjectStore(try TestStores.filesystem(dir))
        try await store.put("a/b", bytes: [1])
        try await store.putFile("a/c", path: dir.path + "/bucket/a/b")
        _ = try await store.get("a/b")
        _ = try await store.get("a/b", range: 0..<1)
        _ = try await store.head("a/x")
        _ = try await store.list(prefix: "a/")
        await #expect(throws: ObjectStoreError.self) { _ = try await store.get("missing") }
        try await store.delete("a/b")
        let before = store.reset()
        #expect(before.description == "LIST 1, GET 3, PUT 2, HEAD 1, DELETE 1", "failed requests count too")
        #expect(before.total == 8)
        #expect(store.counts == RequestCounts())
        _ = try await store.list(prefix: "")
        var one = RequestCounts()
        one[.list] = 1
        #expect(store.counts - RequestCounts() == one)
        #expect(store.counts - store.counts == RequestCounts())
    }
}
