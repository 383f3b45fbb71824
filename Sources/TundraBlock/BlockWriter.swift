import Foundation
import TundraEncoding
import TundraModel

/// Writes one block: chunks to `chunks/NNNNNN` as series arrive, the index after, then
/// `meta.json`, all inside `<parent>/<ULID>.tmp-for-creation`; ``finish()`` fsyncs
/// everything and renames the folder to `<parent>/<ULID>` in one step, so a reader
/// never sees half a block.
///
/// Series must come in label order (``ByteOrder/precedes(_:_:)-(Labels,Labels)``), and
/// every label name and value must be among the `symbols` given at creation: the
/// index starts with its symbol table. A head cut or a backfill knows its labels up
/// front; a compactor merging blocks takes the union of their symbol tables. Memory
/// use is the symbols and postings, never the chunk bytes.
///
/// ```swift
/// let writer = try BlockWriter(parentDirectory: dir, minTime: 0, maxTime: 7_200_000, symbols: ["__name__", "up"])
/// try writer.addSeries(Labels(["__name__": "up"]), chunks: try SampleChunker.chunks(samples))
/// let meta = try writer.finish()
/// ```
///
/// After an error the writer refuses further calls; ``abort()`` removes its folder,
/// and ``BlockDirectory/removeTemporaryDirectories(in:)`` removes folders left by a
/// crash.
public final class BlockWriter {
    public let ulid: ULID
    public let parentDirectory: String
    /// Samples must lie in [minTime, maxTime); maxTime is exclusive, as in meta.json.
    public let minTime: Int64
    public let maxTime: Int64
    public let options: BlockWriterOptions
    /// Where the block is built.
    public let temporaryDirectory: String
    /// Where ``finish()`` puts it.
    public var directory: String { parentDirectory + "/" + ulid.description }

    private let index: IndexWriter
    private let segments: ChunkSegmentWriter
    private var stats = BlockStats()
    private var encodings: Set<UInt8> = []
    private var state = State.open

    private enum State { case open, failed, finished }

    /// Blocks cut in one run get strictly increasing IDs even within a millisecond.
    private static let ulids = ULIDGenerator()

    public init(
        parentDirectory: String, minTime: Int64, maxTime: Int64, symbols: some Sequence<String>, options: BlockWriterOptions = BlockWriterOptions()
    ) throws(BlockError) {
        guard minTime < maxTime else { throw BlockError(.invalidInput, "block range [\(minTime), \(maxTime)) is empty") }
        let id = options.ulid ?? BlockWriter.ulids.next(milliseconds: UInt64(max(0, Date().timeIntervalSince1970 * 1000)))
        ulid = id
        self.parentDirectory = parentDirectory
        self.minTime = minTime
        self.maxTime = maxTime
        self.options = options
        temporaryDirectory = parentDirectory + "/" + id.description + BlockDirectory.temporarySuffix
        try BlockDirectory.create(temporaryDirectory)
        let chunksDirectory = temporaryDirectory + "/" + ChunkSegment.folder
        try BlockDirectory.create(chunksDirectory)
        segments = ChunkSegmentWriter(directory: chunksDirectory, maxSegmentSize: options.maxSegmentSize)
        index = try IndexWriter(path: temporaryDirectory + "/" + IndexFormat.fileName, symbols: symbols)
    }

    /// Adds one series with its chunks, in time order and inside the block's range.
    /// A series without chunks is skipped, as Prometheus' compactor does.
    public func addSeries(_ labels: Labels, chunks: [SeriesChunk]) throws(BlockError) {
        try run { () throws(BlockError) in
            guard !chunks.isEmpty else { return }
            var metas: [ChunkMeta] = []
            metas.reserveCapacity(chunks.count)
            var samples = 0
            for c in chunks {
                guard c.minTime >= minTime, c.maxTime < maxTime, c.minTime <= c.maxTime else {
                    throw BlockError(
                        .invalidInput, "chunk [\(c.minTime), \(c.maxTime)] of \(labels) is outside the block range [\(minTime), \(maxTime))")
                }
                do {
                    samples += try c.chunk.sampleCount()
                } catch {
                    throw BlockError(.invalidInput, "chunk of \(labels) is unreadable: \(error)")
                }
                if let last = metas.last, c.minTime <= last.maxTime {
                    throw BlockError(.invalidInput, "chunks of \(labels) overlap or are out of order: \(c.minTime) after \(last.maxTime)")
                }
                metas.append(ChunkMeta(ref: try segments.write(c.chunk), minTime: c.minTime, maxTime: c.maxTime))
                encodings.insert(c.chunk.encoding.rawValue)
            }
            try index.addSeries(labels, chunks: metas)
            stats.numSeries += 1
            stats.numChunks += UInt64(metas.count)
            stats.numSamples += UInt64(samples)
        }
    }

    /// Completes the block and publishes it under its ULID; returns its meta.
    @discardableResult
    public func finish() throws(BlockError) -> BlockMeta {
        try run { () throws(BlockError) -> BlockMeta in
            try segments.finish()
            try index.finish()
            let meta = BlockMeta(
                ulid: ulid, minTime: minTime, maxTime: maxTime, stats: stats,
                compaction: options.compaction ?? BlockCompaction(level: 1, sources: [ulid]),
                tundra: TundraBlockInfo(
                    resolution: options.resolution, rollup: options.rollup, source: options.source, chunkEncodings: encodings.sorted()))
            try BlockDirectory.writeFile(temporaryDirectory + "/" + BlockMeta.fileName, try meta.encoded())
            try BlockDirectory.sync(temporaryDirectory + "/" + ChunkSegment.folder)
            try BlockDirectory.sync(temporaryDirectory)
            guard !FileManager.default.fileExists(atPath: directory) else {
                throw BlockError(.invalidInput, "a block with this ULID already exists", file: directory)
            }
            try BlockDirectory.rename(temporaryDirectory, to: directory)
            try BlockDirectory.sync(parentDirectory)
            state = .finished
            return meta
        }
    }

    /// Gives up the block and removes its temporary folder.
    public func abort() {
        if state != .finished { state = .failed }
        try? BlockDirectory.remove(temporaryDirectory)
    }

    /// Runs a step, and refuses every later one once a step failed: the files may be
    /// half written.
    private func run<T>(_ body: () throws(BlockError) -> T) throws(BlockError) -> T {
        switch state {
        case .failed: throw BlockError(.invalidInput, "block writer used after an error or abort", file: temporaryDirectory)
        case .finished: throw BlockError(.invalidInput, "block writer used after finish", file: directory)
        case .open: break
        }
        do {
            return try body()
        } catch {
            state = .failed
            throw error
        }
    }
}

extension BlockWriter {
    /// Writes a whole block from series held in memory: sorts them, gathers the
    /// symbols and writes. For head cuts and tests; a streaming caller uses the
    /// instance API.
    @discardableResult
    public static func write(
        parentDirectory: String, minTime: Int64, maxTime: Int64, series: [(labels: Labels, chunks: [SeriesChunk])],
        options: BlockWriterOptions = BlockWriterOptions()
    ) throws(BlockError) -> BlockMeta {
        var symbols: Set<ByteString> = []
        for s in series {
            for pair in s.labels {
                symbols.insert(ByteString(pair.name))
                symbols.insert(ByteString(pair.value))
            }
        }
        let writer = try BlockWriter(
            parentDirectory: parentDirectory, minTime: minTime, maxTime: maxTime, symbols: symbols.map(\.value), options: options)
        do {
            for s in series.sorted(by: { ByteOrder.precedes($0.labels, $1.labels) }) {
                try writer.addSeries(s.labels, chunks: s.chunks)
            }
            return try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }
}
