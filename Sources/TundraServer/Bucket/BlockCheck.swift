import Foundation
import TundraBlock
import TundraModel

/// Reads a whole block in a local folder and says what is wrong with it: the checks
/// behind `tundra tools bucket verify`. ``BlockReader`` does the format checks (TOC,
/// versions, every CRC32C); this adds what only a full pass can see: series order,
/// time ranges, decodable chunks and stats that match.
struct BlockCheck {
    /// Problems listed per block before the rest are only counted: a block with a bad
    /// segment would otherwise list every chunk in it.
    static let problemLimit = 50

    let directory: String
    let ulid: ULID
    /// The block's file names, relative to its folder, as the bucket listed them.
    let files: Set<String>

    private(set) var problems: [BlockProblem] = []
    private var suppressed = 0
    /// Chunks that failed their CRC, did not decode or sit in a missing segment.
    private var unreadableChunks = 0

    init(directory: String, ulid: ULID, files: Set<String>) {
        self.directory = directory
        self.ulid = ulid
        self.files = files
    }

    /// Runs every check; returns the problems and what was counted.
    static func run(directory: String, ulid: ULID, files: Set<String>) -> (problems: [BlockProblem], counted: BlockStats?) {
        var check = BlockCheck(directory: directory, ulid: ulid, files: files)
        let counted = check.checkAll()
        if check.suppressed > 0 {
            check.problems.append(BlockProblem(.more, "\(check.suppressed) more problems not listed"))
        }
        return (check.problems, counted)
    }

    private mutating func report(_ problem: BlockProblem) {
        if problems.count < BlockCheck.problemLimit {
            problems.append(problem)
        } else {
            suppressed += 1
        }
    }

    private mutating func checkAll() -> BlockStats? {
        guard let meta = checkMeta() else { return nil }
        guard files.contains("index") else {
            report(BlockProblem(.missingFile, "the block has no index", file: "index"))
            return nil
        }
        let reader: BlockReader
        let series: [BlockSeries]
        do {
            reader = try BlockReader(directory: directory)
            series = try reader.select(matchers: [])
        } catch {
            report(BlockProblem(.index, error))
            return nil
        }
        var counted = BlockStats(numSeries: UInt64(series.count))
        var missingSegments: Set<Int> = []
        var previous: Labels?
        for s in series {
            if let previous, ByteOrder.compare(previous, s.labels) >= 0 {
                report(BlockProblem(.seriesOrder, "series \(s.labels) comes after \(previous)", file: "index", offset: Int(s.ref) * 16))
            }
            previous = s.labels
            for c in s.chunks {
                counted.numChunks += 1
                let segment = ChunkSegment.fileName(segment: c.ref.segment)
                guard files.contains(segment) else {
                    unreadableChunks += 1
                    if missingSegments.insert(c.ref.segment).inserted {
                        report(BlockProblem(.missingFile, "chunk segment referenced by \(s.labels) is missing", file: segment))
                    }
                    continue
                }
                counted.numSamples += UInt64(checkChunk(c, of: s.labels, reader: reader, meta: meta))
            }
        }
        // Samples are only known for chunks that read; with a chunk already reported,
        // a sample count mismatch would be the same problem twice.
        let samplesKnown = unreadableChunks == 0
        if counted.numSeries != meta.stats.numSeries || counted.numChunks != meta.stats.numChunks
            || (samplesKnown && counted.numSamples != meta.stats.numSamples)
        {
            let samples = samplesKnown ? ", \(counted.numSamples)" : " (samples not counted: chunks unreadable)"
            report(
                BlockProblem(
                    .stats,
                    "meta.json says \(meta.stats.numSeries) series, \(meta.stats.numChunks) chunks, \(meta.stats.numSamples) samples; "
                        + "the block holds \(counted.numSeries), \(counted.numChunks)\(samples)",
                    file: BlockMeta.fileName))
        }
        return counted
    }

    /// meta.json parses, has a known version and names this block.
    private mutating func checkMeta() -> BlockMeta? {
        guard files.contains(BlockMeta.fileName) else {
            report(BlockProblem(.meta, "the block has no meta.json", file: BlockMeta.fileName))
            return nil
        }
        let meta: BlockMeta
        do {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + BlockMeta.fileName)))
            meta = try BlockMeta.decode(bytes)
        } catch let error as BlockError {
            report(BlockProblem(.meta, error))
            return nil
        } catch {
            report(BlockProblem(.meta, "cannot read: \(error)", file: BlockMeta.fileName))
            return nil
        }
        if meta.ulid != ulid {
            report(BlockProblem(.meta, "meta.json names block \(meta.ulid), not \(ulid)", file: BlockMeta.fileName))
        }
        return meta
    }

    /// One chunk: CRC (in ``BlockReader/chunk(_:)``), decoding, and time ranges; returns
    /// the samples it holds (0 when it does not decode).
    private mutating func checkChunk(_ c: ChunkMeta, of labels: Labels, reader: BlockReader, meta: BlockMeta) -> Int {
        let file = ChunkSegment.fileName(segment: c.ref.segment)
        if c.minTime > c.maxTime || c.minTime < meta.minTime || c.maxTime >= meta.maxTime {
            report(
                BlockProblem(
                    .timeRange, "chunk of \(labels) covers [\(c.minTime), \(c.maxTime)], outside the block's [\(meta.minTime), \(meta.maxTime))",
                    file: file, offset: c.ref.offset))
        }
        let samples: [Sample]
        do {
            samples = try reader.chunk(c.ref).samples()
        } catch let error as BlockError {
            unreadableChunks += 1
            report(BlockProblem(.chunk, error))
            return 0
        } catch {
            unreadableChunks += 1
            report(BlockProblem(.chunk, "chunk of \(labels) does not decode: \(error)", file: file, offset: c.ref.offset))
            return 0
        }
        // Equality would be too strict for rollup chunks, whose windows may start before
        // their first sample; inside the index's range is what queries rely on.
        if let first = samples.map(\.t).min(), let last = samples.map(\.t).max(), first < c.minTime || last > c.maxTime {
            report(
                BlockProblem(
                    .timeRange, "chunk of \(labels) holds samples from \(first) to \(last), the index says [\(c.minTime), \(c.maxTime)]",
                    file: file, offset: c.ref.offset))
        }
        return samples.count
    }
}
