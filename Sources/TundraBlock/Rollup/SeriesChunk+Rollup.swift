import TundraEncoding

extension SeriesChunk {
    /// A rollup chunk ready for ``BlockWriter/addSeries(_:chunks:)``, its time range
    /// taken from its points. A chunk always holds a point; an empty one gets [0, 0].
    public init(_ rollup: RollupChunk) {
        self.init(minTime: rollup.minTime ?? 0, maxTime: rollup.maxTime ?? 0, chunk: BlockChunk(rollup))
    }
}
