import Foundation
import Logging
import Testing
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraQuery
import TundraTestSupport

/// The bucket querier against a real SeaweedFS S3 gateway with SigV4 on: range GETs,
/// HEAD and the manifest GET over HTTP, and never a LIST.
@Suite struct StoreSeaweedFSTests {
    static let hour = StoreBucket.hour
    static let t0 = StoreBucket.t0

    static func s3(_ weed: SeaweedFSProcess) throws -> S3Store {
        var c = S3BucketConfig(bucket: weed.bucket, endpoint: weed.endpoint)
        c.insecure = true
        c.region = weed.region
        c.accessKey = weed.accessKey
        c.secretKey = weed.secretKey
        c.bucketLookupType = .path
        c.retry = RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        c.requestTimeout = .seconds(30)
        return try S3Store(config: c, logger: Logger(label: "store-test"))
    }

    @Test func queriesOverS3() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let scratch = try TempDir("store-s3")
        defer { scratch.remove() }
        let bucket = StoreBucket(store: try Self.s3(weed), scratch: scratch)
        var rng = SeededRandom(seed: 7)
        let series = (0..<30).map { i in
            (StoreBucket.labels(i), StoreBucket.samples(from: Self.t0, to: Self.t0 + 6 * Self.hour, step: 15_000) { _ in Double.random(in: 0..<100, using: &rng).rounded() })
        }
        // 1m for the first two hours, raw for all six (two blocks overlapping by an hour).
        try await bucket.upload(series, from: Self.t0, to: Self.t0 + 2 * Self.hour, resolution: StoreBucket.minute)
        try await bucket.upload(series, from: Self.t0, to: Self.t0 + 4 * Self.hour)
        try await bucket.upload(series, from: Self.t0 + 3 * Self.hour, to: Self.t0 + 6 * Self.hour)
        try await bucket.writeManifest()

        let recording = RecordingStore(bucket.store)
        let querier = try BucketQuerier(store: recording, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let raw = try await onQueryThread {
            try querier.select([.equal("__name__", "requests_total")], hints: SelectHints(mint: Self.t0, maxt: Self.t0 + 6 * Self.hour))
        }
        #expect(raw.series.map(\.labels) == series.map(\.0).sorted())
        #expect(raw.series.map(\.samples) == series.sorted { $0.0 < $1.0 }.map(\.1), "every sample once, overlap de-duplicated")

        let pod = StoreBucket.labels(4)
        let samples = try #require(series.first { $0.0 == pod }?.1)
        let maxed = try await onQueryThread {
            try querier.select([.equal("pod", "p4")], hints: SelectHints(mint: Self.t0, maxt: Self.t0 + 6 * Self.hour - 1, maxResolution: .oneHour, rollup: .max))
        }
        #expect(maxed.resolutions == [.oneMinute, .raw])
        let got = try #require(maxed.series.first).samples
        let rollupPart = got.filter { $0.t < Self.t0 + 2 * Self.hour }
        #expect(rollupPart.count == 120)
        for p in rollupPart {
            let window = samples.filter { $0.t <= p.t && $0.t > p.t - StoreBucket.minute }
            #expect(p.v == window.map(\.v).max(), "window ending \(p.t)")
        }
        #expect(got.filter { $0.t >= Self.t0 + 2 * Self.hour } == samples.filter { $0.t >= Self.t0 + 2 * Self.hour })
        #expect(recording.count(.list) == 0)

        // A new querier on the same cache folder opens the blocks with no request for
        // their index headers, metas or sizes.
        let again = RecordingStore(bucket.store)
        let second = try BucketQuerier(store: again, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let names = try await onQueryThread { try second.labelNames([], mint: Self.t0, maxt: Self.t0 + 6 * Self.hour) }
        #expect(names == ["__name__", "env", "pod"])
        #expect(again.requests.map(\.key) == ["bucket-manifest.json"], "\(again.requests)")
    }
}
