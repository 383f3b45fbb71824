import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraQuery
import TundraTestSupport

/// Resolution choice and the conversion of rollups and raw samples, over a bucket with
/// 1h blocks for [0, 48h), 1m blocks for [40h, 56h) and raw blocks for [46h, 50h) and
/// [56h, 60h) (hours from t0): every tier cut from one set of raw samples, so each
/// answer can be checked against those samples directly.
@Suite struct StoreResolutionTests {
    static let hour = StoreBucket.hour
    static let minute = StoreBucket.minute
    static let t0 = StoreBucket.t0
    static let step: Int64 = 15_000
    static let gauge = Labels(["__name__": "temperature", "room": "a"])
    static let counter = Labels(["__name__": "bytes_total", "room": "a"])
    /// Counter resets forced where tiers meet, and one inside each tier.
    static let resetTimes: Set<Int64> = [20, 44, 48, 53, 56, 58].map { t0 + $0 * hour }.reduce(into: []) { $0.insert($1) }

    static func gaugeSamples() -> [Sample] {
        var rng = SeededRandom(seed: 41)
        return StoreBucket.samples(from: t0, to: t0 + 60 * hour, step: step) { _ in (Double.random(in: 0..<1000, using: &rng) * 100).rounded() / 100 }
    }

    static func counterSamples() -> [Sample] {
        var rng = SeededRandom(seed: 42)
        var v = 1000.0
        return StoreBucket.samples(from: t0, to: t0 + 60 * hour, step: step) { t in
            if resetTimes.contains(t) {
                v = Double.random(in: 0..<3, using: &rng).rounded()
            } else {
                v += Double.random(in: 0..<50, using: &rng).rounded() / 4
            }
            return v
        }
    }

    static func build(_ bucket: StoreBucket) async throws {
        let series = [(gauge, gaugeSamples()), (counter, counterSamples())]
        try await bucket.upload(series, from: t0, to: t0 + 48 * hour, resolution: hour)
        for k in stride(from: 40, to: 56, by: 8) {
            try await bucket.upload(series, from: t0 + Int64(k) * hour, to: t0 + Int64(k + 8) * hour, resolution: minute)
        }
        for k in [46, 48, 56, 58] {
            try await bucket.upload(series, from: t0 + Int64(k) * hour, to: t0 + Int64(k + 2) * hour)
        }
        try await bucket.writeManifest()
    }

    /// `samples` in [from, to) folded per window of `resolution` with `fold`, stamped at
    /// each window's last millisecond.
    static func windows(_ samples: [Sample], from: Int64, to: Int64, resolution: Int64, _ fold: ([Double]) -> Double) -> [Sample] {
        var groups: [Int64: [Double]] = [:]
        for s in samples where s.t >= from && s.t < to { groups[(s.t - t0) / resolution, default: []].append(s.v) }
        return groups.keys.sorted().map { k in Sample(t: t0 + k * resolution + resolution - 1, v: fold(groups[k] ?? [])) }
    }

    static func select(_ querier: BucketQuerier, _ labels: Labels, _ hints: SelectHints) async throws -> (SelectResult, [Sample]) {
        let name = labels.metricName ?? ""
        let r = try await onQueryThread { try querier.select([.equal("__name__", name)], hints: hints) }
        return (r, r.series.first { $0.labels == labels }?.samples ?? [])
    }

    @Test func coarsestResolutionWhereItHasBlocksThenFiner() async throws {
        let bucket = try StoreBucket.filesystem("store-resolution")
        defer { bucket.scratch.remove() }
        try await Self.build(bucket)
        let raw = Self.gaugeSamples()
        let recording = RecordingStore(bucket.store)
        let querier = try BucketQuerier(store: recording, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let h = Self.hour
        let t0 = Self.t0

        // Up to 1h: 1h for [0, 48h), 1m for [48h, 56h), raw for [56h, 60h).
        let (hourly, hourlySamples) = try await Self.select(
            querier, Self.gauge, SelectHints(mint: t0, maxt: t0 + 60 * h - 1, maxResolution: .oneHour, rollup: .max))
        #expect(hourly.resolutions == [.oneHour, .oneMinute, .raw])
        #expect(hourly.rollup == .max)
        let maxOf: ([Double]) -> Double = { $0.max() ?? .nan }
        var want = Self.windows(raw, from: t0, to: t0 + 48 * h, resolution: h, maxOf)
        want += Self.windows(raw, from: t0 + 48 * h, to: t0 + 56 * h, resolution: Self.minute, maxOf)
        want += raw.filter { $0.t >= t0 + 56 * h }
        let expectedCount = 48 + 8 * 60 + 4 * 240
        #expect(hourlySamples.count == expectedCount)
        #expect(hourlySamples == want)

        // Up to 1m: the 1m blocks for [40h, 56h), nothing before (no raw block there),
        // raw after; the 1h block is not opened.
        let (minutely, minutelySamples) = try await Self.select(
            querier, Self.gauge, SelectHints(mint: t0, maxt: t0 + 60 * h - 1, maxResolution: .oneMinute, rollup: .min))
        #expect(minutely.resolutions == [.oneMinute, .raw])
        let minOf: ([Double]) -> Double = { $0.min() ?? .nan }
        #expect(minutelySamples == Self.windows(raw, from: t0 + 40 * h, to: t0 + 56 * h, resolution: Self.minute, minOf) + raw.filter { $0.t >= t0 + 56 * h })

        // No rollup use: raw blocks only, their samples as written.
        let (rawOnly, rawSamples) = try await Self.select(querier, Self.gauge, SelectHints(mint: t0, maxt: t0 + 60 * h - 1))
        #expect(rawOnly.resolutions == [.raw] && rawOnly.rollup == nil)
        #expect(rawSamples == raw.filter { ($0.t >= t0 + 46 * h && $0.t < t0 + 50 * h) || $0.t >= t0 + 56 * h })

        // A rollup use where only raw blocks overlap: raw samples, not converted.
        let (late, lateSamples) = try await Self.select(
            querier, Self.gauge, SelectHints(mint: t0 + 57 * h, maxt: t0 + 58 * h, maxResolution: .oneHour, rollup: .count))
        #expect(late.rollup == nil && late.resolutions == [.raw])
        #expect(lateSamples == raw.filter { $0.t >= t0 + 57 * h && $0.t <= t0 + 58 * h })
        #expect(recording.count(.list) == 0)
    }

    /// avg_over_time's inputs: per-window sums with their counts, raw samples counting 1;
    /// Σ sum / Σ count over everything is the mean of the raw samples.
    @Test func sumAndCountAreAlignedAndAddUpToTheRawSamples() async throws {
        let bucket = try StoreBucket.filesystem("store-sum-count")
        defer { bucket.scratch.remove() }
        try await Self.build(bucket)
        let raw = Self.gaugeSamples()
        let querier = try BucketQuerier(store: bucket.store, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let (r, samples) = try await Self.select(
            querier, Self.gauge, SelectHints(mint: Self.t0, maxt: Self.t0 + 60 * Self.hour - 1, maxResolution: .oneHour, rollup: .sumAndCount))
        let index = try #require(r.series.firstIndex { $0.labels == Self.gauge })
        let counts = try #require(r.counts?[index])
        #expect(counts.count == samples.count)
        #expect(counts.reduce(0, +) == Double(raw.count))
        #expect(counts.first == 240, "an hour of 15 s samples")
        #expect(counts.last == 1, "a raw sample")
        let mean = samples.map(\.v).reduce(0, +) / counts.reduce(0, +)
        let rawMean = raw.map(\.v).reduce(0, +) / Double(raw.count)
        #expect(abs(mean - rawMean) <= 1e-9 * abs(rawMean))

        let (c, countSamples) = try await Self.select(
            querier, Self.gauge, SelectHints(mint: Self.t0, maxt: Self.t0 + 60 * Self.hour - 1, maxResolution: .oneHour, rollup: .count))
        #expect(c.counts == nil)
        #expect(countSamples.map(\.v).reduce(0, +) == Double(raw.count))
    }

    /// The counter read through 1h, then 1m, then raw stays one reset-adjusted counter:
    /// its rise to every point equals Prometheus' increase over the raw samples up to
    /// that time, resets where tiers meet included.
    @Test func counterStaysContinuousAcrossResolutions() async throws {
        let bucket = try StoreBucket.filesystem("store-counter")
        defer { bucket.scratch.remove() }
        try await Self.build(bucket)
        let raw = Self.counterSamples()
        let querier = try BucketQuerier(store: bucket.store, options: BucketQuerierOptions(cacheDirectory: bucket.cacheDirectory))
        let (r, merged) = try await Self.select(
            querier, Self.counter, SelectHints(mint: Self.t0, maxt: Self.t0 + 60 * Self.hour - 1, maxResolution: .oneHour, rollup: .counter))
        #expect(r.resolutions == [.oneHour, .oneMinute, .raw])
        let first = try #require(merged.first)
        #expect(first == raw[0], "the first point is the first raw sample")
        #expect(merged.last?.t == raw.last?.t)
        #expect(zip(merged, merged.dropFirst()).allSatisfy { $0.v <= $1.v && $0.t < $1.t }, "non-decreasing, in time order")
        var rawIndex = 0
        var rise = 0.0
        var checked = 0
        for p in merged {
            // Every counter point is at a raw sample's time.
            while rawIndex + 1 < raw.count && raw[rawIndex].t < p.t {
                let (a, b) = (raw[rawIndex].v, raw[rawIndex + 1].v)
                rise += b >= a ? b - a : b
                rawIndex += 1
            }
            #expect(raw[rawIndex].t == p.t)
            let got = p.v - first.v
            #expect(abs(got - rise) <= 1e-9 * max(1, rise), "at \(p.t): \(got) vs raw \(rise)")
            checked += 1
        }
        #expect(checked > 48 + 8 * 60)
        let total = try #require(merged.last).v - first.v
        #expect(abs(total - rawIncrease(raw)) <= 1e-9 * rawIncrease(raw))

        // resets(): the drops of the raw samples, also those exactly where tiers meet.
        let (_, resets) = try await Self.select(
            querier, Self.counter, SelectHints(mint: Self.t0, maxt: Self.t0 + 60 * Self.hour - 1, maxResolution: .oneHour, rollup: .resets))
        let drops = zip(raw, raw.dropFirst()).filter { $1.v < $0.v }.count
        #expect(drops == Self.resetTimes.count)
        #expect(resets.map(\.v).reduce(0, +) == Double(drops))
    }
}
