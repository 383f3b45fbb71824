import Foundation
import Testing
import TundraBlock
import TundraEncoding
import TundraModel
import TundraTestSupport

/// On generated counters with resets, gaps, stale markers and NaNs, the rollups agree
/// with brute force from the raw samples. Each case names its seed; replay it with
/// `SeededRandom(seed:)`.
@Suite struct RollupPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xC0FFEE, 0x5EED_0000_0000_0001, 0xDEAD_BEEF]
    static let minute = RollupWindows.oneMinute
    static let hour = RollupWindows.oneHour

    /// 6 to 60 hours starting anywhere from before the epoch to 2023, so runs cross
    /// 2 h chunk spans and sometimes 120 h ones.
    static func raw(_ rng: inout SeededRandom) -> [Sample] {
        let start = Int64.random(in: -10_000_000...1_700_000_000_000, using: &rng)
        return rng.counterSeries(start: start, hours: Int.random(in: 6...60, using: &rng))
    }

    static func windows(_ chunks: [RollupChunk]) -> [RollupReference.Window] {
        let count = RollupSeries.points(.count, chunks), sum = RollupSeries.points(.sum, chunks)
        let min = RollupSeries.points(.min, chunks), max = RollupSeries.points(.max, chunks)
        guard count.count == sum.count, count.count == min.count, count.count == max.count else { return [] }
        return count.indices.map { i in
            RollupReference.Window(stamp: count[i].t, count: count[i].v, sum: sum[i].v, min: min[i].v, max: max[i].v)
        }
    }

    static func mismatch(_ got: [RollupReference.Window], _ want: [RollupReference.Window]) -> String? {
        guard got.count == want.count else { return "\(got.count) windows, want \(want.count)" }
        for (g, w) in zip(got, want) {
            let same = g.stamp == w.stamp && RollupReference.same(g.count, w.count) && RollupReference.same(g.sum, w.sum)
                && RollupReference.same(g.min, w.min) && RollupReference.same(g.max, w.max)
            if !same { return "got \(g), want \(w)" }
        }
        return nil
    }

    @Test(arguments: seeds)
    func everyWindowMatchesBruteForceAtBothResolutions(_ seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        for run in 0..<20 {
            let raw = Self.raw(&rng)
            for res in [Self.minute, Self.hour] {
                let chunks = try Downsampler.downsample(raw, resolution: res)
                if let m = Self.mismatch(Self.windows(chunks), RollupReference.windows(raw, resolution: res)) {
                    Issue.record("seed \(seed), run \(run), resolution \(res): \(m)")
                }
                let counter = RollupSeries.counter(chunks)
                let want = RollupReference.counterPoints(raw, resolution: res)
                #expect(RollupReference.same(counter, want), "seed \(seed), run \(run), resolution \(res): counter")
                for c in chunks { #expect(try RollupChunk(bytes: c.bytes) == c) }
            }
        }
    }

    @Test(arguments: seeds)
    func hourFromMinuteEqualsHourFromRaw(_ seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        for run in 0..<20 {
            let raw = Self.raw(&rng)
            let direct = try Downsampler.downsample(raw, resolution: Self.hour)
            let minute = try Downsampler.downsample(raw, resolution: Self.minute)
            // The compactor may read the minute chunks from several blocks; any split
            // along chunk boundaries gives the same answer, so none is needed here.
            let viaMinute = try Downsampler.downsample(minute, resolution: Self.hour)
            let context = "seed \(seed), run \(run)"
            try #require(viaMinute.count == direct.count, "\(context): chunk count")
            if let m = Self.mismatch(Self.windows(viaMinute), Self.windows(direct)) { Issue.record("\(context): \(m)") }
            for (a, b) in zip(viaMinute, direct) {
                // Chunk by chunk, so the raw first and last counter values match too.
                #expect(RollupReference.same(a.samples(.counter) ?? [], b.samples(.counter) ?? []), "\(context): counter")
            }
            #expect(RollupReference.same(RollupSeries.counter(viaMinute), RollupSeries.counter(direct)), "\(context)")
        }
    }

    /// The resets aggregate counts what `resets()` counts on the raw samples, window by
    /// window, at 1m, at 1h, and at 1h made from 1m.
    @Test(arguments: seeds)
    func resetsPerWindowMatchBruteForce(_ seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var resetsSeen = 0.0
        for run in 0..<20 {
            let raw = Self.raw(&rng)
            let minute = try Downsampler.downsample(raw, resolution: Self.minute)
            let hour = try Downsampler.downsample(raw, resolution: Self.hour)
            let viaMinute = try Downsampler.downsample(minute, resolution: Self.hour)
            let context = "seed \(seed), run \(run)"
            #expect(RollupSeries.points(.resets, minute) == RollupReference.resets(raw, resolution: Self.minute), "\(context): 1m")
            #expect(RollupSeries.points(.resets, hour) == RollupReference.resets(raw, resolution: Self.hour), "\(context): 1h")
            #expect(RollupSeries.points(.resets, viaMinute) == RollupSeries.points(.resets, hour), "\(context): 1h from 1m")
            resetsSeen += RollupSeries.points(.resets, minute).reduce(0) { $0 + $1.v }
        }
        #expect(resetsSeen > 0, "seed \(seed): the generated counters reset")
    }

    /// Increase measured between window boundaries (from the last sample at or before
    /// each) is exact on rollups. Inside a range (a, b], Prometheus-style and before
    /// extrapolation, the rollup misses only the increase inside the range's first
    /// window, before its last sample: that is the stated tolerance.
    @Test(arguments: seeds)
    func increaseOverTheCounterSeriesMatchesRaw(_ seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        for run in 0..<4 {
            let raw = Self.raw(&rng)
            let real = raw.filter { !$0.v.isNaN }
            guard let first = real.first, let last = real.last else { continue }
            for res in [Self.minute, Self.hour] {
                let counter = RollupSeries.counter(try Downsampler.downsample(raw, resolution: res))
                for _ in 0..<20 {
                    var a = RollupReference.windowStart(Int64.random(in: first.t...last.t, using: &rng), res)
                    var b = RollupReference.windowStart(Int64.random(in: first.t...last.t, using: &rng), res) + res
                    if a > b { swap(&a, &b) }
                    let context = "seed \(seed), run \(run), res \(res), (\(a), \(b)]"

                    let rawFrom = real.last { $0.t <= a }?.t ?? .min
                    let rollupFrom = counter.last { $0.t <= a }?.t ?? .min
                    let rawSpan = real.filter { $0.t >= rawFrom && $0.t <= b }
                    let rollupSpan = counter.filter { $0.t >= rollupFrom && $0.t <= b }
                    let exact = RollupReference.increase(rawSpan)
                    let rollupExact = (rollupSpan.last?.v ?? 0) - (rollupSpan.first?.v ?? 0)
                    #expect(RollupReference.same(rollupExact, exact), "\(context): boundary to boundary")

                    let rawIn = real.filter { $0.t > a && $0.t <= b }
                    let rollupIn = counter.filter { $0.t > a && $0.t <= b }
                    let rawIncrease = RollupReference.increase(rawIn)
                    let rollupIncrease = (rollupIn.last?.v ?? 0) - (rollupIn.first?.v ?? 0)
                    let firstWindow = rawIn.first.map { w in rawIn.filter { RollupReference.windowStart($0.t, res) == RollupReference.windowStart(w.t, res) } } ?? []
                    let tolerance = RollupReference.increase(firstWindow)
                    #expect(rollupIncrease <= rawIncrease + 1e-9, "\(context): rollup above raw")
                    #expect(rawIncrease - rollupIncrease <= tolerance + 1e-9, "\(context): off by more than the first window")
                }
            }
        }
    }
}
