import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraQuery
import TundraTestSupport

/// The bucket querier over a filesystem bucket: answers against the samples written,
/// what it fetches, and what it never does (LIST, whole blocks).
@Suite struct StoreQuerierTests {
    static let hour = StoreBucket.hour
    static let t0 = StoreBucket.t0

    /// Three adjacent raw blocks and a fourth overlapping the second, holding some of
    /// its samples again and some of its own.
    @Test func answersEqualSamplesWritten() async throws {
        let bucket = try StoreBucket.filesystem("store-answers")
        defer { bucket.scratch.remove() }
        var expected: [Labels: [Int64: Double]] = [:]
        for k in 0..<3 {
            let from = Self.t0 + Int64(k) * 2 * Self.hour
            let series = (0..<12).map { i in
                (StoreBucket.labels(i), StoreBucket.samples(from: from, to: from + 2 * Self.hour, step: 30_000) { t in Double(i * 1000) + Double((t - Self.t0) / 30_000) })
            }
            try await bucket.upload(series, from: from, to: from + 2 * Self.hour)
            for (l, s) in series { for x in s { expected[l, default: [:]][x.t] = x.v } }
        }
        // Overlapping [t0+3h, t0+5h): every other sample of block 2 again (same value),
        // and samples between them that no other block has.
        let from = Self.t0 + 3 * Self.hour
        let overlap = (0..<12).map { i in
            (StoreBucket.labels(i), StoreBucket.samples(from: from, to: from + 2 * Self.hour, step: 15_000) { t in Double(i * 1000) + Double(t - Self.t0) / 30_000 })
        }
        try await bucket.upload(overlap, from: from, to: from + 2 * Self.hour)
        for (l, s) in overlap { for x in s { expected[l, default: [:]][x.t] = x.v } }
        try await bucket.writeManifest()

        let recording = RecordingStore(bucket.store)
        let querier = try BucketQuerier(store: recording, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let all = try await onQueryThread {
            try querier.select([.equal("__name__", "requests_total")], hints: SelectHints(mint: Self.t0, maxt: Self.t0 + 6 * Self.hour))
        }
        #expect(all.series.map(\.labels) == expected.keys.sorted())
        #expect(all.resolutions == [.raw] && all.rollup == nil && all.counts == nil)
        for s in all.series {
            let want = (expected[s.labels] ?? [:]).sorted { $0.key < $1.key }.map { Sample(t: $0.key, v: $0.value) }
            #expect(s.samples == want, "\(s.labels)")
        }

        // A window inside two blocks, one series: only its samples in [mint, maxt].
        let mint = Self.t0 + 90 * 60_000 + 1
        let maxt = Self.t0 + 4 * Self.hour + 30_000
        let one = try await onQueryThread {
            try querier.select([.equal("pod", "p3"), .equal("env", "dev")], hints: SelectHints(mint: mint, maxt: maxt))
        }
        #expect(one.series.count == 1)
        let want = (expected[StoreBucket.labels(3)] ?? [:]).filter { $0.key >= mint && $0.key <= maxt }.sorted { $0.key < $1.key }
        #expect(one.series.first?.samples == want.map { Sample(t: $0.key, v: $0.value) })
        #expect(one.series.first?.samples.first?.t == Self.t0 + 90 * 60_000 + 30_000)

        let names = try await onQueryThread { try querier.labelNames([], mint: Self.t0, maxt: Self.t0 + Self.hour) }
        #expect(names == ["__name__", "env", "pod"])
        let pods = try await onQueryThread { try querier.labelValues("pod", [[.equal("env", "prod")]], mint: Self.t0, maxt: Self.t0 + Self.hour) }
        #expect(pods == ["p0", "p10", "p2", "p4", "p6", "p8"])
        let series = try await onQueryThread { try querier.series([[.equal("pod", "p1")], [.equal("pod", "p2")]], mint: Self.t0, maxt: Self.t0 + 6 * Self.hour) }
        #expect(series == [StoreBucket.labels(1), StoreBucket.labels(2)])
        let none = try await onQueryThread { try querier.series([[.equal("pod", "p1")]], mint: Self.t0 + 7 * Self.hour, maxt: Self.t0 + 8 * Self.hour) }
        #expect(none.isEmpty)
        #expect(recording.count(.list) == 0, "no LIST: \(recording.requests.filter { $0.kind == .list })")
    }

    /// One series of a block of many: the bytes fetched are the index header, that
    /// series' postings and entry, and its chunks; far below the block's size.
    @Test func oneSeriesFetchesFarLessThanTheBlock() async throws {
        let bucket = try StoreBucket.filesystem("store-bytes")
        defer { bucket.scratch.remove() }
        let series = (0..<400).map { i in
            (StoreBucket.labels(i), StoreBucket.samples(from: Self.t0, to: Self.t0 + 2 * Self.hour, step: 15_000) { t in sin(Double(t) / 1e6 + Double(i)) * 100 })
        }
        let (meta, size) = try await bucket.upload(series, from: Self.t0, to: Self.t0 + 2 * Self.hour)
        try await bucket.writeManifest()
        let recording = RecordingStore(bucket.store)
        let querier = try BucketQuerier(store: recording, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let result = try await onQueryThread {
            try querier.select([.equal("pod", "p17")], hints: SelectHints(mint: Self.t0, maxt: Self.t0 + 2 * Self.hour))
        }
        #expect(result.series.map(\.labels) == [StoreBucket.labels(17)])
        #expect(result.series.first?.samples == series[17].1)

        let blockRequests = recording.requests.filter { $0.key.hasPrefix(meta.ulid.description + "/") }
        let fetched = blockRequests.reduce(0) { $0 + $1.bytes }
        // The symbol table and postings offset table of 400 series are a few kB, the
        // series' two chunks well under 4 kB with read-ahead; the block is ~ 400 kB.
        #expect(size > 200_000, "block of \(size) bytes")
        #expect(fetched < size / 10, "fetched \(fetched) of \(size) bytes: \(blockRequests)")
        #expect(!blockRequests.contains { $0.kind == .get && $0.range == nil }, "never a whole object of the block")
        #expect(recording.count(.list) == 0)
        #expect(recording.count(.head) == 1, "the index size, once")
        let chunkGETs = blockRequests.filter { $0.key.contains("/chunks/") }
        // The segment header (a range of its own: the series' chunks lie far from the
        // start of the segment) and the series' four chunks in one range.
        #expect(chunkGETs.count == 2, "\(chunkGETs)")
    }

    /// A second querier with the same cache directory opens the block from disk: not one
    /// request for the index header, meta or index size.
    @Test func indexHeaderCacheSurvivesTheProcess() async throws {
        let bucket = try StoreBucket.filesystem("store-header-cache")
        defer { bucket.scratch.remove() }
        let series = (0..<50).map { i in
            (StoreBucket.labels(i), StoreBucket.samples(from: Self.t0, to: Self.t0 + 2 * Self.hour, step: 60_000) { t in Double(t / 60_000 + Int64(i)) })
        }
        let (meta, _) = try await bucket.upload(series, from: Self.t0, to: Self.t0 + 2 * Self.hour)
        try await bucket.writeManifest()
        let key = meta.ulid.description + "/"

        let first = RecordingStore(bucket.store)
        let q1 = try BucketQuerier(store: first, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let names1 = try await onQueryThread { try q1.labelNames([], mint: Self.t0, maxt: Self.t0 + 1) }
        #expect(names1 == ["__name__", "env", "pod"])
        // HEAD for the size; header, TOC, symbol table, postings offset table.
        #expect(first.requests.filter { $0.key.hasPrefix(key) }.map(\.kind) == [.head, .get, .get, .get, .get])
        #expect(FileManager.default.fileExists(atPath: bucket.cacheDirectory + "/" + meta.ulid.description + "/index-header"))
        #expect(FileManager.default.fileExists(atPath: bucket.cacheDirectory + "/" + meta.ulid.description + "/meta.json"))

        let second = RecordingStore(bucket.store)
        let q2 = try BucketQuerier(store: second, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let names2 = try await onQueryThread { try q2.labelNames([], mint: Self.t0, maxt: Self.t0 + 1) }
        #expect(names2 == names1)
        #expect(second.requests.map(\.key) == [BucketManifest.defaultKey], "only the manifest: \(second.requests)")

        // Reads after the open still go to the bucket, by range, and answer right.
        let r = try await onQueryThread { try q2.select([.equal("pod", "p7")], hints: SelectHints(mint: Self.t0, maxt: Self.t0 + 2 * Self.hour)) }
        #expect(r.series.first?.samples == series[7].1)
        #expect(!second.requests.contains { $0.key.hasPrefix(key) && ($0.kind == .head || $0.range?.lowerBound == 0 && $0.key.hasSuffix("/index")) })
    }

    /// A small chunk cache: every answer still right, the bytes held never above it.
    @Test func chunkCacheStaysUnderItsBound() async throws {
        let bucket = try StoreBucket.filesystem("store-chunk-cache")
        defer { bucket.scratch.remove() }
        let series = (0..<200).map { i in
            (StoreBucket.labels(i), StoreBucket.samples(from: Self.t0, to: Self.t0 + 2 * Self.hour, step: 10_000) { t in cos(Double(t) / 7e5 * Double(i + 1)) })
        }
        try await bucket.upload(series, from: Self.t0, to: Self.t0 + 2 * Self.hour)
        try await bucket.writeManifest()
        var options = BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory)
        options.chunkCacheBytes = 48 << 10
        let querier = try BucketQuerier(store: bucket.store, options: options)
        for pass in 0..<2 {
            let all = try await onQueryThread {
                try querier.select([.equal("__name__", "requests_total")], hints: SelectHints(mint: Self.t0, maxt: Self.t0 + 2 * Self.hour))
            }
            #expect(all.series.count == 200, "pass \(pass)")
            #expect(all.series.map(\.samples) == series.sorted { $0.0 < $1.0 }.map(\.1), "pass \(pass)")
            #expect(querier.chunkCache.bytes <= 48 << 10)
            #expect(querier.chunkCache.bytes > 0)
        }
        #expect(querier.chunkCache.hits > 0)
    }

    /// The manifest is read once per refresh interval; a block added shows up once it is
    /// read again.
    @Test func manifestIsReadAgainOnlyAfterItsInterval() async throws {
        let bucket = try StoreBucket.filesystem("store-manifest")
        defer { bucket.scratch.remove() }
        let s = [(StoreBucket.labels(1), StoreBucket.samples(from: Self.t0, to: Self.t0 + 4 * Self.hour, step: 60_000) { Double($0 / 60_000) })]
        try await bucket.upload(s, from: Self.t0, to: Self.t0 + 2 * Self.hour)
        try await bucket.writeManifest()
        let recording = RecordingStore(bucket.store)
        var options = BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory)
        options.manifestRefreshInterval = .seconds(3600)
        let querier = try BucketQuerier(store: recording, options: options)
        let hints = SelectHints(mint: Self.t0, maxt: Self.t0 + 4 * Self.hour)
        let before = try await onQueryThread { try querier.select([], hints: hints) }
        #expect(before.series.first?.samples.count == 120)

        try await bucket.upload(s, from: Self.t0 + 2 * Self.hour, to: Self.t0 + 4 * Self.hour)
        try await bucket.writeManifest()
        let cached = try await onQueryThread { try querier.select([], hints: hints) }
        #expect(cached.series.first?.samples.count == 120, "the manifest read an hour ago is still current")
        #expect(recording.requests.filter { $0.key == BucketManifest.defaultKey }.count == 1)
        _ = try await onQueryThread { try querier.blocks(force: true) }
        let after = try await onQueryThread { try querier.select([], hints: hints) }
        #expect(after.series.first?.samples == s[0].1)
        #expect(recording.requests.filter { $0.key == BucketManifest.defaultKey }.count == 2)
        #expect(recording.count(.list) == 0)
    }

    /// A bucket the compactor has not written a manifest to has no blocks yet.
    @Test func noManifestMeansNoBlocks() async throws {
        let bucket = try StoreBucket.filesystem("store-no-manifest")
        defer { bucket.scratch.remove() }
        let querier = try BucketQuerier(store: bucket.store, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let r = try await onQueryThread { try querier.select([], hints: SelectHints(mint: 0, maxt: .max)) }
        #expect(r.series.isEmpty)
    }
}
