import TundraModel

/// The resolutions a query can read, finest first.
public enum QueryResolution: Int64, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case raw = 0
    case oneMinute = 60_000
    case oneHour = 3_600_000

    public static func < (a: QueryResolution, b: QueryResolution) -> Bool { a.rawValue < b.rawValue }

    /// As the API names it: `raw`, `1m`, `1h`.
    public var description: String {
        switch self {
        case .raw: "raw"
        case .oneMinute: "1m"
        case .oneHour: "1h"
        }
    }

    public init?(name: String) {
        switch name {
        case "raw", "0", "0s": self = .raw
        case "1m", "5m": self = .oneMinute
        case "1h": self = .oneHour
        default: return nil
        }
    }
}

/// Which rollup aggregate stands in for raw samples when a selector is answered from a
/// coarser resolution; the engine chooses it from the function the samples feed.
public enum RollupUse: Sendable, Equatable {
    /// The reset-adjusted counter of `RollupSeries.counter` (rate, increase, irate).
    case counter
    case max
    case min
    /// Per-window sums; `sum_over_time` adds them.
    case sum
    /// Per-window counts; `count_over_time` adds them.
    case count
    /// Per-window resets; `resets` adds them.
    case resets
    /// Per-window sums, with the counts in ``SelectResult/counts``: `avg_over_time` is
    /// Σ sum / Σ count, not a mean of means.
    case sumAndCount
    /// Per-window sum/count; for a selector alone and the functions without an aggregate
    /// of their own.
    case average
}

/// What the engine asks of the storage for one selector.
public struct SelectHints: Sendable, Equatable {
    /// Inclusive bounds of the samples needed (lookback, ranges and offsets applied).
    public var mint: Int64
    public var maxt: Int64
    /// The range of a matrix selector or subquery window in ms; 0 for an instant selector.
    public var range: Int64
    /// The evaluation step of the query in ms (0 for an instant query).
    public var step: Int64
    /// The function the samples feed, if any (`rate`, `max_over_time`, ...).
    public var function: String?
    /// The coarsest resolution the caller allows; the store reads the coarsest one it has
    /// up to this, falling back to finer data for the times a coarser tier has no block.
    public var maxResolution: QueryResolution
    /// The aggregate to read where rollups are used; nil means raw samples only.
    public var rollup: RollupUse?

    public init(
        mint: Int64, maxt: Int64, range: Int64 = 0, step: Int64 = 0, function: String? = nil,
        maxResolution: QueryResolution = .raw, rollup: RollupUse? = nil
    ) {
        self.mint = mint
        self.maxt = maxt
        self.range = range
        self.step = step
        self.function = function
        self.maxResolution = rollup == nil ? .raw : maxResolution
        self.rollup = rollup
    }
}

/// The series one selector found: sorted by labels, samples in time order, no two
/// samples of a series at the same time.
public struct SelectResult: Sendable {
    public var series: [SeriesSamples]
    /// Each resolution that contributed samples.
    public var resolutions: Set<QueryResolution>
    /// When rollups were read, the aggregate that stands in for the raw samples; raw
    /// samples of the same series (times no rollup covers) are then converted to match:
    /// a count of 1, a sum and max and min of the value, a reset-adjusted counter.
    public var rollup: RollupUse?
    /// With ``RollupUse/sumAndCount``: per series, the count of each sample's window
    /// (1 for a raw sample), aligned with `series[i].samples`.
    public var counts: [[Double]]?

    public init(series: [SeriesSamples], resolutions: Set<QueryResolution> = [.raw], rollup: RollupUse? = nil, counts: [[Double]]? = nil) {
        self.series = series
        self.resolutions = resolutions
        self.rollup = rollup
        self.counts = counts
    }
}

/// A source of series: the head, the blocks of a bucket, or several merged.
///
/// Calls are synchronous: queries run on their own threads (see ``QueryRunner``), so a
/// store that waits on the network blocks a query thread, never the ingest path.
public protocol Querier: Sendable {
    func select(_ matchers: [Matcher], hints: SelectHints) throws -> SelectResult
    /// Label sets of the series matching any of `matchers` with samples in [mint, maxt], sorted.
    func series(_ matchers: [[Matcher]], mint: Int64, maxt: Int64) throws -> [Labels]
    /// Label names, sorted; with matchers, only those of matching series.
    func labelNames(_ matchers: [[Matcher]], mint: Int64, maxt: Int64) throws -> [String]
    /// Values of `name`, sorted; with matchers, only those of matching series.
    func labelValues(_ name: String, _ matchers: [[Matcher]], mint: Int64, maxt: Int64) throws -> [String]
}
