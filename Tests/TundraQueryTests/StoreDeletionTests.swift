import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraQuery
import TundraTestSupport

/// Blocks with deletion marks, blocks whose files are gone, and blocks that do not read.
@Suite struct StoreDeletionTests {
    static let hour = StoreBucket.hour
    static let t0 = StoreBucket.t0

    static func series(_ names: [Int], from: Int64, value: Double) -> [(Labels, [Sample])] {
        names.map { i in (StoreBucket.labels(i), StoreBucket.samples(from: from, to: from + 2 * hour, step: 60_000) { _ in value }) }
    }

    @Test func markedBlocksAreReadUntilReplacedOrGone() async throws {
        let bucket = try StoreBucket.filesystem("store-marked")
        defer { bucket.scratch.remove() }
        // A is replaced by B (B's sources hold A's): only B is read, so series 2, which
        // only A holds, is not seen.
        let (a, _) = try await bucket.upload(Self.series([1, 2], from: Self.t0, value: 1), from: Self.t0, to: Self.t0 + 2 * Self.hour)
        let (b, _) = try await bucket.upload(
            Self.series([1], from: Self.t0, value: 2), from: Self.t0, to: Self.t0 + 2 * Self.hour, sources: [a.ulid, ULID(milliseconds: 5)])
        // C is marked with no replacement: still read.
        let (c, _) = try await bucket.upload(Self.series([3], from: Self.t0 + 2 * Self.hour, value: 3), from: Self.t0 + 2 * Self.hour, to: Self.t0 + 4 * Self.hour)
        // D is marked and its files are deleted after the manifest was written.
        let (d, _) = try await bucket.upload(Self.series([4], from: Self.t0 + 4 * Self.hour, value: 4), from: Self.t0 + 4 * Self.hour, to: Self.t0 + 6 * Self.hour)
        for id in [a.ulid, c.ulid, d.ulid] { try await bucket.mark(id) }
        try await bucket.writeManifest()
        for file in ["meta.json", "index", "chunks/000001"] { try await bucket.store.delete(d.ulid.description + "/" + file) }

        let querier = try BucketQuerier(store: bucket.store, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let blocks = try await onQueryThread { try querier.blocks() }
        #expect(Set(blocks.map(\.meta.ulid)) == [b.ulid, c.ulid, d.ulid])
        let r = try await onQueryThread { try querier.select([], hints: SelectHints(mint: Self.t0, maxt: Self.t0 + 6 * Self.hour)) }
        #expect(r.series.map(\.labels) == [StoreBucket.labels(1), StoreBucket.labels(3)])
        #expect(r.series.first?.samples.allSatisfy { $0.v == 2 } == true, "from B, not A")
        #expect(r.series.last?.samples.count == 120)
        let names = try await onQueryThread { try querier.labelValues("pod", [], mint: Self.t0, maxt: Self.t0 + 6 * Self.hour) }
        #expect(names == ["p1", "p3"])
    }

    /// A live block whose chunks are missing, or whose chunk is damaged, fails the query
    /// with an error that names the block and the file.
    @Test func unreadableBlocksFailTheQueryNamingBlockAndFile() async throws {
        let bucket = try StoreBucket.filesystem("store-unreadable")
        defer { bucket.scratch.remove() }
        let (good, _) = try await bucket.upload(Self.series([1], from: Self.t0, value: 1), from: Self.t0, to: Self.t0 + 2 * Self.hour)
        let (gone, _) = try await bucket.upload(Self.series([1], from: Self.t0 + 2 * Self.hour, value: 1), from: Self.t0 + 2 * Self.hour, to: Self.t0 + 4 * Self.hour)
        try await bucket.writeManifest()
        try await bucket.store.delete(gone.ulid.description + "/chunks/000001")
        // Damage the good block's first chunk: one byte of its data.
        let key = good.ulid.description + "/chunks/000001"
        var bytes = try await bucket.store.get(key)
        bytes[12] ^= 0x40
        try await bucket.store.put(key, bytes: bytes)

        let querier = try BucketQuerier(store: bucket.store, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        for (block, range) in [(gone.ulid, Self.t0 + 2 * Self.hour...Self.t0 + 4 * Self.hour - 1), (good.ulid, Self.t0...Self.t0 + 2 * Self.hour - 1)] {
            do {
                _ = try await onQueryThread { try querier.select([], hints: SelectHints(mint: range.lowerBound, maxt: range.upperBound)) }
                Issue.record("a query over block \(block) succeeded")
            } catch let e as StoreError {
                #expect(e.block == block)
                #expect(e.file == "chunks/000001")
                #expect(e.description.contains("block \(block), file chunks/000001"), "\(e)")
            }
        }
        // The index of the damaged block is fine: labels still come from it.
        let values = try await onQueryThread { try querier.labelValues("pod", [], mint: Self.t0, maxt: Self.t0 + 1) }
        #expect(values == ["p1"])
    }
}
