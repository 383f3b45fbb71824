import TundraEncoding
import TundraModel

/// Window arithmetic shared by the downsampler and the readers of rollups.
///
/// Windows are aligned to multiples of the resolution from the epoch; the
/// count/sum/min/max points of a window are stamped at its last millisecond
/// (`start + resolution - 1`), as Thanos stamps them, so a window's point never sorts
/// before a sample it covers.
public enum RollupWindows {
    /// 1-minute rollups, cut from raw data.
    public static let oneMinute: Int64 = 60_000
    /// 1-hour rollups, cut from 1-minute rollups.
    public static let oneHour: Int64 = 3_600_000
    /// Windows per rollup chunk: Prometheus' ~120 samples a chunk, applied to windows.
    public static let windowsPerChunk: Int64 = 120

    /// The start of the window holding `t` (floor division, also for negative `t`).
    public static func start(_ t: Int64, resolution: Int64) -> Int64 {
        let (q, r) = t.quotientAndRemainder(dividingBy: resolution)
        return (r < 0 ? q - 1 : q) &* resolution
    }

    /// The timestamp a window's aggregates carry: its last millisecond.
    public static func stamp(_ t: Int64, resolution: Int64) -> Int64 {
        let s = start(t, resolution: resolution)
        return s > Int64.max - (resolution - 1) ? Int64.max : s + (resolution - 1)
    }

    /// The time span one rollup chunk covers. Chunks never cross a multiple of it, so
    /// the 1m chunks under one 1h chunk always belong to it whole (120 h is a multiple
    /// of 2 h), which keeps each chunk's first and last raw counter values true.
    static func chunkSpan(resolution: Int64) -> Int64 {
        let (span, overflow) = resolution.multipliedReportingOverflow(by: windowsPerChunk)
        return overflow ? Int64.max : span
    }

    /// Folds points into one point per window with `aggregate`'s combine rule.
    static func fold(_ points: some Sequence<Sample>, _ aggregate: Aggregate, resolution: Int64) -> [Sample] {
        var out: [Sample] = []
        for p in points {
            let t = stamp(p.t, resolution: resolution)
            if let last = out.last, last.t == t {
                out[out.count - 1].v = aggregate.combine(last.v, p.v)
            } else {
                out.append(Sample(t: t, v: p.v))
            }
        }
        return out
    }
}
