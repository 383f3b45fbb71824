/// The five aggregates a rollup window keeps, numbered in the order a ``RollupChunk``
/// stores them. The numbering is Thanos' `AggrType` (`pkg/compact/downsample/aggr.go`),
/// so our rollup chunks and Thanos' aggregate chunks share one layout.
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

    public var description: String {
        switch self {
        case .count: "count"
        case .sum: "sum"
        case .min: "min"
        case .max: "max"
        case .counter: "counter"
        }
    }
}
