import TundraBlock
import TundraEncoding
import TundraModel
import TundraTestSupport

// Brute-force references for the rollup tests, written straight from the definitions
// in docs/format/rollup.md and sharing no code with the downsampler.

enum RollupReference {
    struct Window: Equatable {
        var stamp: Int64
        var count: Double
        var sum: Double
        var min: Double
        var max: Double
    }

    static func windowStart(_ t: Int64, _ res: Int64) -> Int64 {
        t >= 0 ? t / res * res : -((-t + res - 1) / res) * res
    }

    /// Count, sum, min and max of the non-stale samples of every window.
    static func windows(_ samples: [Sample], resolution res: Int64) -> [Window] {
        var byStart: [Int64: [Double]] = [:]
        for s in samples where !StaleNaN.isStale(s.v) { byStart[windowStart(s.t, res), default: []].append(s.v) }
        return byStart.keys.sorted().map { start in
            let vs = byStart[start] ?? []
            let numbers = vs.filter { !$0.isNaN }
            return Window(
                stamp: start + res - 1, count: Double(vs.count), sum: vs.reduce(0, +),
                min: numbers.min() ?? .nan, max: numbers.max() ?? .nan)
        }
    }

    /// Per window stamp, what PromQL's `resets()` counts in it: non-stale samples below
    /// the non-stale sample before them, wherever that one is. Windows with samples and
    /// no reset hold 0.
    static func resets(_ samples: [Sample], resolution res: Int64) -> [Sample] {
        var byStamp: [Int64: Double] = [:]
        var previous: Double?
        for s in samples where !StaleNaN.isStale(s.v) {
            let stamp = windowStart(s.t, res) + res - 1
            byStamp[stamp, default: 0] += (previous.map { s.v < $0 } ?? false) ? 1 : 0
            previous = s.v
        }
        return byStamp.keys.sorted().map { Sample(t: $0, v: byStamp[$0] ?? 0) }
    }

    /// Prometheus' increase before extrapolation: the sum of deltas, a drop counting as
    /// a reset after which the new value is the increase. NaNs are skipped, as the
    /// rollup counter skips them.
    static func increase(_ samples: [Sample]) -> Double {
        let vs = samples.map(\.v).filter { !$0.isNaN }
        guard vs.count > 1 else { return 0 }
        var total = 0.0
        for i in 1..<vs.count { total += vs[i] >= vs[i - 1] ? vs[i] - vs[i - 1] : vs[i] }
        return total
    }

    /// The points the counter series must hold: the reset-adjusted counter at the first
    /// sample of every 120-window chunk span and at the last sample of every window.
    static func counterPoints(_ samples: [Sample], resolution res: Int64) -> [Sample] {
        let real = samples.filter { !$0.v.isNaN }
        var out: [Sample] = []
        var adjusted = 0.0
        for (i, s) in real.enumerated() {
            adjusted = i == 0 ? s.v : adjusted + increase([real[i - 1], s])
            let span = res * 120
            let firstOfSpan = i == 0 || windowStart(real[i - 1].t, span) != windowStart(s.t, span)
            let lastOfWindow = i + 1 == real.count || windowStart(real[i + 1].t, res) != windowStart(s.t, res)
            if firstOfSpan || lastOfWindow { out.append(Sample(t: s.t, v: adjusted)) }
        }
        return out
    }

    /// Equal numbers, or both NaN.
    static func same(_ a: Double, _ b: Double) -> Bool {
        (a.isNaN && b.isNaN) || a == b || abs(a - b) <= 1e-9 * Swift.max(abs(a), abs(b))
    }

    static func same(_ a: [Sample], _ b: [Sample]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.t == $1.t && same($0.v, $1.v) }
    }
}

extension SeededRandom {
    /// A counter scraped every ~15 s over several hours, with resets, gaps of minutes to
    /// hours, stale-marker runs and a rare non-stale NaN. Values are small integers so
    /// that every sum is exact in a Double.
    mutating func counterSeries(start: Int64, hours: Int) -> [Sample] {
        var out: [Sample] = []
        var t = start
        var v = Double(Int.random(in: 0...1_000, using: &self))
        let end = start + Int64(hours) * 3_600_000
        while t < end {
            let roll = Int.random(in: 0..<1_000, using: &self)
            switch roll {
            case 0..<8: v = Double(Int.random(in: 0...5, using: &self))  // reset
            case 8..<12: t += Int64.random(in: 60_000...5_400_000, using: &self)  // gap
            case 12..<16:
                for _ in 0..<Int.random(in: 1...3, using: &self) {
                    out.append(Sample(t: t, v: StaleNaN.value))
                    t += 15_000
                }
            case 16: out.append(Sample(t: t, v: .nan)); t += 15_000
            default: v += Double(Int.random(in: 0...20, using: &self))
            }
            out.append(Sample(t: t, v: v))
            t += Int64.random(in: 10_000...20_000, using: &self)
        }
        return out
    }
}
