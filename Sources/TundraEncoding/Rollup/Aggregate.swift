/// The aggregates a rollup window keeps, numbered in the order a ``RollupChunk`` stores
/// them. The first five are Thanos' `AggrType` (`pkg/compact/downsample/aggr.go`), so
/// our rollup chunks and Thanos' aggregate chunks share one layout; `resets` comes
/// after them, where a Thanos reader stops reading.
public enum Aggregate: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// Samples in the window (stale markers excluded).
    case count = 0
    /// Sum of the window's sample values.
    case sum = 1
    /// Smallest value in the window.
    case min = 2
    /// Largest value in the window.
    case max = 3
    /// Reset-adjusted counter; see `docs/format/rollup.md` for its points.
    case counter = 4
    /// Counter resets in the window, as PromQL's `resets()` counts them: samples whose
    /// value is below the sample before them (which may be in an earlier window).
    case resets = 5

    public var description: String {
        switch self {
        case .count: "count"
        case .sum: "sum"
        case .min: "min"
        case .max: "max"
        case .counter: "counter"
        case .resets: "resets"
        }
    }
}
