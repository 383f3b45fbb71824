import TundraBlock
import TundraEncoding
import TundraModel

/// Merges blocks into one, streaming series by series: adjacent blocks into a larger
/// one, overlapping blocks (late data cut into a second block, replicas) with their
/// samples de-duplicated, one block into a rollup of it (``MergeOptions/resolution``),
/// or one block into a copy without some series (``MergeOptions/keep``).
///
/// Series are merged in label order across the inputs. A series whose chunks from
/// different inputs do not overlap in time keeps its chunks as they are (copied, not
/// re-encoded); where they overlap, the samples are decoded, merged in time order with
/// repeats of a timestamp dropped (the first input's value wins, so give the inputs in
/// the order to trust), and encoded again.
///
/// Overlapping rollup chunks are refused (``MergeError/overlappingRollups(_:)``): they
/// need merging window by window, which the downsampler does from finer data, not
/// sample by sample.
///
/// Memory: a batch of series metadata per input, sized from
/// ``MergeOptions/memoryBudget``; the chunks of one series at a time; each input's
/// series references (4 bytes per series); and the new index's symbols and postings
/// (the index's own size order). Never the blocks' chunk bytes as a whole.
public enum BlockMerger {
    public struct Result: Sendable {
        public var meta: BlockMeta
        /// Samples dropped because another input had the same timestamp.
        public var duplicatesDropped: Int
        /// Series left out by ``MergeOptions/keep``.
        public var seriesDropped: Int
        /// Samples in the inputs' chunks that were read.
        public var samplesRead: Int
    }

    /// Rough size of one series' labels and chunk metas once decoded, from the block's
    /// stats, to turn the memory budget into a batch length: a 2-day block's series
    /// carry a hundred chunk metas, a 2-hour block's one or two.
    static func seriesFootprint(_ meta: BlockMeta) -> Int {
        let chunksPerSeries = Int(meta.stats.numChunks / max(1, meta.stats.numSeries)) + 1
        return 512 + chunksPerSeries * MemoryLayout<ChunkMeta>.stride
    }

    /// Writes the merge of `inputs` as a new block under `parentDirectory`.
    public static func merge(
        _ inputs: [BlockReader], into parentDirectory: String, options: MergeOptions = MergeOptions()
    ) throws(MergeError) -> Result {
        guard let first = inputs.first else { throw .output(BlockError(.invalidInput, "nothing to merge")) }
        let inputResolution = first.meta.tundra?.resolution ?? TundraBlockInfo.rawResolution
        for input in inputs where (input.meta.tundra?.resolution ?? 0) != inputResolution {
            throw .output(
                BlockError(
                    .invalidInput,
                    "block \(input.meta.ulid) has resolution \(input.meta.tundra?.resolution ?? 0), not \(inputResolution) as \(first.meta.ulid)"))
        }
        let outputResolution = options.resolution ?? inputResolution
        guard outputResolution >= inputResolution else {
            throw .output(BlockError(.invalidInput, "cannot make resolution \(outputResolution) ms from \(inputResolution) ms"))
        }
        let writer: BlockWriter
        do {
            writer = try makeWriter(inputs, into: parentDirectory, options: options, resolution: outputResolution)
        } catch {
            throw .output(error)
        }
        let share = options.memoryBudget / 2 / inputs.count
        var duplicates = 0
        var dropped = 0
        var read = 0
        do throws(MergeError) {
            var cursors: [SeriesCursor] = []
            for (i, input) in inputs.enumerated() {
                cursors.append(try SeriesCursor(input, input: i, batchSize: max(16, share / seriesFootprint(input.meta))))
            }
            let total = inputs.map { Int($0.meta.stats.numSeries) }.max() ?? 0
            var written = 0
            while let labels = smallestLabels(cursors) {
                var parts: [(input: Int, series: BlockSeries)] = []
                for cursor in cursors {
                    guard let s = cursor.current, ByteOrder.compare(s.labels, labels) == 0 else { continue }
                    parts.append((cursor.input, s))
                    try cursor.advance()
                }
                if let keep = options.keep, !keep(labels) {
                    dropped += 1
                    continue
                }
                var merged = try ChunkMerge.merge(parts, inputs)
                duplicates += merged.duplicates
                read += merged.samplesRead
                if outputResolution != inputResolution {
                    merged.chunks = try RollupTransform.downsample(merged.chunks, from: inputResolution, to: outputResolution, labels: labels)
                }
                do {
                    try writer.addSeries(labels, chunks: merged.chunks)
                } catch {
                    throw MergeError.output(error)
                }
                written += 1
                if written % options.progressInterval == 0 {
                    options.progress?(MergeProgress(seriesWritten: written, samplesRead: read, seriesTotal: total))
                }
            }
            let meta: BlockMeta
            do {
                meta = try writer.finish()
            } catch {
                throw MergeError.output(error)
            }
            options.progress?(MergeProgress(seriesWritten: written, samplesRead: read, seriesTotal: total))
            return Result(meta: meta, duplicatesDropped: duplicates, seriesDropped: dropped, samplesRead: read)
        } catch {
            writer.abort()
            throw error
        }
    }

    private static func makeWriter(
        _ inputs: [BlockReader], into parentDirectory: String, options: MergeOptions, resolution: Int64
    ) throws(BlockError) -> BlockWriter {
        var minTime = Int64.max
        var maxTime = Int64.min
        var symbols: [String] = []
        for input in inputs {
            minTime = min(minTime, input.meta.minTime)
            maxTime = max(maxTime, input.meta.maxTime)
            symbols += input.symbols
        }
        var writerOptions = options.writer
        writerOptions.source = .compactor
        writerOptions.resolution = resolution
        writerOptions.rollup = resolution == TundraBlockInfo.rawResolution ? nil : RollupTransform.aggregates
        let level = inputs.map(\.meta.compaction.level).max() ?? 0
        writerOptions.compaction = BlockCompaction(
            // A rollup or a rewrite of one block is not a compaction step.
            level: inputs.count > 1 ? level + 1 : level,
            sources: Array(Set(inputs.flatMap(\.meta.sourceSet))).sorted(),
            parents: inputs.map { BlockDescriptor(ulid: $0.meta.ulid, minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) })
        return try BlockWriter(parentDirectory: parentDirectory, minTime: minTime, maxTime: maxTime, symbols: symbols, options: writerOptions)
    }

    /// The smallest label set under the cursors, or nil when every cursor is done.
    private static func smallestLabels(_ cursors: [SeriesCursor]) -> Labels? {
        var best: Labels?
        for cursor in cursors {
            guard let labels = cursor.current?.labels else { continue }
            if let b = best, ByteOrder.compare(labels, b) >= 0 { continue }
            best = labels
        }
        return best
    }
}
