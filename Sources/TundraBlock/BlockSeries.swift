import TundraModel

/// Where one chunk of a series is and what time it covers, as the index records it.
public struct ChunkMeta: Sendable, Hashable {
    public var ref: ChunkRef
    /// First and last sample timestamps, inclusive.
    public var minTime: Int64
    public var maxTime: Int64

    public init(ref: ChunkRef, minTime: Int64, maxTime: Int64) {
        self.ref = ref
        self.minTime = minTime
        self.maxTime = maxTime
    }
}

/// A series found in a block: its labels and the metas of its chunks (only those
/// overlapping the time range asked for).
public struct BlockSeries: Sendable, Equatable {
    /// The series' reference in this block's index (its offset / 16).
    public var ref: UInt32
    public var labels: Labels
    public var chunks: [ChunkMeta]

    public init(ref: UInt32, labels: Labels, chunks: [ChunkMeta]) {
        self.ref = ref
        self.labels = labels
        self.chunks = chunks
    }
}

/// A chunk handed to the writer: its time range and encoded bytes.
public struct SeriesChunk: Sendable, Equatable {
    /// First and last sample timestamps, inclusive.
    public var minTime: Int64
    public var maxTime: Int64
    public var chunk: BlockChunk

    public init(minTime: Int64, maxTime: Int64, chunk: BlockChunk) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.chunk = chunk
    }
}
