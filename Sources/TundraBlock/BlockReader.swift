import TundraEncoding
import TundraModel

/// Reads one block through a ``BlockFileSource``: `meta.json` and the index header at
/// open, series, postings and chunks by range when asked.
///
/// ```swift
/// let block = try BlockReader(directory: "/data/blocks/01HZX...")
/// for series in try block.select(matchers: [.equal("job", "node")], minTime: t0, maxTime: t1) {
///     let samples = try block.samples(of: series, minTime: t0, maxTime: t1)
/// }
/// ```
///
/// Every checksum on the way is verified; a mismatch, a version this build does not
/// know, or a truncated file is a ``BlockError`` naming the file and offset.
public final class BlockReader: Sendable {
    public let meta: BlockMeta
    private let index: IndexReader
    private let segments: ChunkSegmentReader

    public init(source: any BlockFileSource) throws(BlockError) {
        meta = try BlockMeta.decode(try source.readAll(BlockMeta.fileName))
        // A block that declares an encoding we cannot decode is refused whole, before
        // a query gets half its answer from it.
        if let unknown = meta.tundra?.chunkEncodings.first(where: { ChunkEncoding(rawValue: $0) == nil }) {
            throw BlockError(.unsupported, "block uses chunk encoding \(unknown): this version reads 1 (XOR) and 255 (rollup)", file: BlockMeta.fileName)
        }
        index = try IndexReader(source: source)
        segments = ChunkSegmentReader(source: source)
    }

    /// Opens the block in a local folder.
    public convenience init(directory: String) throws(BlockError) {
        try self.init(source: LocalBlockFileSource(directory: directory))
    }

    /// Every label name in the block, sorted by bytes.
    public func labelNames() -> [String] { index.labelNames }

    /// Every value of `name` in the block, sorted by bytes.
    public func labelValues(_ name: String) -> [String] { index.labelValues(name) }

    /// Every label name and value in the block, sorted by bytes: a merge that writes a
    /// new block passes the union of its inputs' symbols to ``BlockWriter``.
    public var symbols: [String] { index.symbols }

    /// The series that match every matcher and have a chunk overlapping
    /// [minTime, maxTime] (inclusive), in label order, with only those chunks.
    public func select(matchers: [Matcher], minTime: Int64 = .min, maxTime: Int64 = .max) throws(BlockError) -> [BlockSeries] {
        try index.series(try index.select(matchers), minTime: minTime, maxTime: maxTime)
    }

    /// Every series reference in label order: four bytes per series, which is what a
    /// streaming reader keeps in memory to walk a block of any size
    /// (``series(references:)`` reads them a batch at a time).
    public func seriesReferences() throws(BlockError) -> [UInt32] {
        try index.allSeries()
    }

    /// The series at `references` (ascending, from ``seriesReferences()``), with all
    /// their chunks.
    public func series(references: some Collection<UInt32>) throws(BlockError) -> [BlockSeries] {
        try index.series(Array(references))
    }

    /// One chunk, its CRC32C checked. An encoding byte this build does not know is an
    /// ``BlockError/Code/unsupported`` error.
    public func chunk(_ ref: ChunkRef) throws(BlockError) -> BlockChunk {
        try segments.chunk(ref)
    }

    /// The decoded samples of a series found by ``select(matchers:minTime:maxTime:)``
    /// that fall in [minTime, maxTime].
    public func samples(of series: BlockSeries, minTime: Int64 = .min, maxTime: Int64 = .max) throws(BlockError) -> [Sample] {
        var out: [Sample] = []
        for meta in series.chunks {
            let chunk = try segments.chunk(meta.ref)
            do {
                for s in try chunk.samples() where s.t >= minTime && s.t <= maxTime { out.append(s) }
            } catch {
                throw BlockError(
                    .corrupt, "chunk of \(series.labels) does not decode: \(error)", file: ChunkSegment.fileName(segment: meta.ref.segment),
                    offset: meta.ref.offset)
            }
        }
        return out
    }
}
