import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraQuery
import TundraTestSupport

/// Many query threads at once over more blocks than may stay open, with a chunk cache
/// smaller than the data.
@Suite struct StoreConcurrencyTests {
    static let hour = StoreBucket.hour
    static let t0 = StoreBucket.t0

    @Test func concurrentSelectsAgreeAndOpenBlocksStayBounded() async throws {
        let bucket = try StoreBucket.filesystem("store-concurrent")
        defer { bucket.scratch.remove() }
        let series = (0..<40).map { i in
            (StoreBucket.labels(i), StoreBucket.samples(from: Self.t0, to: Self.t0 + 12 * Self.hour, step: 30_000) { t in Double((t - Self.t0) / 30_000 * 3 + Int64(i)) })
        }
        var metas: [BlockMeta] = []
        for k in 0..<6 {
            let from = Self.t0 + Int64(k) * 2 * Self.hour
            metas.append(try await bucket.upload(series, from: from, to: from + 2 * Self.hour).meta)
        }
        try await bucket.writeManifest()
        let recording = RecordingStore(bucket.store)
        var options = BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory)
        options.openBlocks = 2
        options.chunkCacheBytes = 64 << 10
        let querier = try BucketQuerier(store: recording, options: options)

        // A range inside the third block opens that block alone.
        _ = try await onQueryThread { try querier.select([.equal("pod", "p1")], hints: SelectHints(mint: Self.t0 + 4 * Self.hour, maxt: Self.t0 + 5 * Self.hour)) }
        let touched = Set(recording.requests.compactMap { r in metas.first { r.key.hasPrefix($0.ulid.description + "/") }?.ulid })
        #expect(touched == [metas[2].ulid])

        let want = series.sorted { $0.0 < $1.0 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for q in 0..<8 {
                group.addTask {
                    // Each asks for a different stretch, so blocks go in and out of the open set.
                    let from = Self.t0 + Int64(q % 6) * 2 * Self.hour - Self.hour
                    let to = from + 5 * Self.hour
                    let r = try await onQueryThread {
                        try querier.select([.equal("__name__", "requests_total")], hints: SelectHints(mint: from, maxt: to))
                    }
                    #expect(r.series.map(\.labels) == want.map(\.0))
                    #expect(r.series.map(\.samples) == want.map { $0.1.filter { $0.t >= from && $0.t <= to } }, "query \(q)")
                }
            }
            try await group.waitForAll()
        }
        #expect(querier.openBlockCount <= 2)
        #expect(querier.chunkCache.bytes <= 64 << 10)
        #expect(recording.count(.list) == 0)
    }
}
