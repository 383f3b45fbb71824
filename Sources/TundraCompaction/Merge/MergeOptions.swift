import TundraBlock
import TundraModel

/// What a ``BlockMerger`` run writes, beyond the union of its inputs.
public struct MergeOptions: Sendable {
    /// ULID, source and compaction fields come from the merge; the rest from here.
    public var writer = BlockWriterOptions()
    /// Bytes the merge may hold for series read ahead from the inputs' indexes and
    /// chunks in flight. The floor is one series per input.
    public var memoryBudget = 512 << 20
    /// Milliseconds per window of the output. Coarser than the inputs' makes a rollup
    /// block (raw to 1m, 1m to 1h); nil keeps the inputs' resolution.
    public var resolution: Int64?
    /// Series for which this returns false are left out (retention overrides).
    public var keep: (@Sendable (Labels) -> Bool)?
    /// Called every ``progressInterval`` series with the series and samples so far.
    public var progress: (@Sendable (MergeProgress) -> Void)?
    public var progressInterval = 10_000

    public init() {}
}

/// How far a merge has got.
public struct MergeProgress: Sendable {
    public var seriesWritten: Int
    public var samplesRead: Int
    public var seriesTotal: Int
}
