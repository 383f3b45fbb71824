/// How a ``BlockWriter`` names and describes the block it writes.
public struct BlockWriterOptions: Sendable {
    /// A segment file is closed and the next started before it would pass this size.
    public var maxSegmentSize: Int = ChunkSegment.defaultMaxSize
    /// Recorded in the meta's `"tundra"` section.
    public var source: BlockSource = .head
    /// Milliseconds per window for rollups; 0 for raw data.
    public var resolution: Int64 = TundraBlockInfo.rawResolution
    /// The aggregate of a rollup block; nil for raw data.
    public var rollup: String?
    /// Parents and level for a compacted block; nil means a level-1 block that is its
    /// own source.
    public var compaction: BlockCompaction?
    /// The block's ID; nil draws one from the wall clock.
    public var ulid: ULID?

    public init() {}
}
