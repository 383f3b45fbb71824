/// Settings of the head; every default is named here.
public struct HeadOptions: Sendable {
    /// How far behind its series' newest sample a late sample may be (ms).
    public var lateWindow: Int64 = 15 * 60 * 1000
    /// The block range (ms): chunks never straddle its boundaries.
    public var blockRange: Int64 = 2 * 60 * 60 * 1000
    /// Samples per chunk before a new one is cut (Prometheus' target is 120).
    public var samplesPerChunk = 120
    /// Bytes reserved for a new open chunk; it grows as needed.
    public var openChunkCapacity = 64
    public var limits = CardinalityLimits()
    public var wal = WALOptions()
    /// Lock stripes for the series maps (a power of two).
    public var stripes = 1024

    public init() {}

    /// The first block-range boundary after `t`.
    static func rangeEnd(_ t: Int64, range: Int64) -> Int64 {
        let (q, r) = t.quotientAndRemainder(dividingBy: range)
        let start = (r < 0 ? q - 1 : q) * range
        return start + range
    }
}

/// Guards against cardinality explosions. A limit that is hit rejects only the new
/// series that would exceed it; existing series keep taking samples.
public struct CardinalityLimits: Sendable, Equatable {
    /// Most series one metric name may have; nil for no limit.
    public var maxSeriesPerMetric: Int?
    /// Most distinct values one label name may have across the head; nil for no limit.
    public var maxLabelValuesPerName: Int?

    public init(maxSeriesPerMetric: Int? = nil, maxLabelValuesPerName: Int? = nil) {
        self.maxSeriesPerMetric = maxSeriesPerMetric
        self.maxLabelValuesPerName = maxLabelValuesPerName
    }
}
