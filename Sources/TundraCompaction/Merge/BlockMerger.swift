import TundraBlock
import TundraEncoding
import TundraModel

/// Merges blocks into one: adjacent blocks into a larger one, and overlapping blocks
/// (late data cut into a second block, replicas) with their samples de-duplicated.
///
/// Series are merged in label order across the inputs. A series whose chunks from
/// different inputs do not overlap in time keeps its chunks as they are (copied, not
/// re-encoded); where they overlap, the samples are decoded, merged in time order with
/// repeats of a timestamp dropped (the first input's value wins, so give the inputs in
/// the order to trust), and encoded again.
///
/// Overlapping rollup chunks are refused (``BlockError``): they need merging window by
/// window, which the downsampler does, not sample by sample.
///
/// Memory: the chunk bytes of one series at a time, plus every input's series list
/// (labels and chunk references), which `BlockReader.select` reads whole.
public enum BlockMerger {
    public struct Result: Sendable {
        public var meta: BlockMeta
        /// Samples dropped because another input had the same timestamp.
        public var duplicatesDropped: Int
    }

    /// Writes the merge of `inputs` as a new block under `parentDirectory`.
    public static func merge(
        _ inputs: [BlockReader], into parentDirectory: String, options base: BlockWriterOptions = BlockWriterOptions()
    ) throws(BlockError) -> Result {
        guard let first = inputs.first else { throw BlockError(.invalidInput, "nothing to merge") }
        var minTime = first.meta.minTime
        var maxTime = first.meta.maxTime
        var symbols: [String] = []
        for input in inputs {
            minTime = min(minTime, input.meta.minTime)
            maxTime = max(maxTime, input.meta.maxTime)
            symbols += input.symbols
        }
        var options = base
        options.source = .compactor
        options.compaction = BlockCompaction(
            level: (inputs.map(\.meta.compaction.level).max() ?? 0) + 1,
            sources: Array(Set(inputs.flatMap(\.meta.compaction.sources))).sorted(),
            parents: inputs.map { BlockDescriptor(ulid: $0.meta.ulid, minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) })
        if options.resolution == TundraBlockInfo.rawResolution, let resolution = first.meta.tundra?.resolution {
            options.resolution = resolution
        }
        let lists = try inputs.map { (reader: BlockReader) throws(BlockError) -> [BlockSeries] in try reader.select(matchers: []) }
        let writer = try BlockWriter(parentDirectory: parentDirectory, minTime: minTime, maxTime: maxTime, symbols: symbols, options: options)
        var dropped = 0
        do {
            var cursors = [Int](repeating: 0, count: inputs.count)
            while let labels = nextLabels(lists, cursors) {
                var parts: [(input: Int, series: BlockSeries)] = []
                for i in inputs.indices where cursors[i] < lists[i].count && ByteOrder.compare(lists[i][cursors[i]].labels, labels) == 0 {
                    parts.append((i, lists[i][cursors[i]]))
                    cursors[i] += 1
                }
                let (chunks, repeats) = try mergedChunks(parts, inputs)
                dropped += repeats
                try writer.addSeries(labels, chunks: chunks)
            }
            return Result(meta: try writer.finish(), duplicatesDropped: dropped)
        } catch {
            writer.abort()
            throw error
        }
    }

    /// The smallest label set under the cursors, or nil when every list is done.
    private static func nextLabels(_ lists: [[BlockSeries]], _ cursors: [Int]) -> Labels? {
        var best: Labels?
        for (i, list) in lists.enumerated() where cursors[i] < list.count {
            let labels = list[cursors[i]].labels
            if let b = best, ByteOrder.compare(labels, b) >= 0 { continue }
            best = labels
        }
        return best
    }

    private static func mergedChunks(
        _ parts: [(input: Int, series: BlockSeries)], _ inputs: [BlockReader]
    ) throws(BlockError) -> ([SeriesChunk], Int) {
        var all: [(meta: ChunkMeta, input: Int)] = []
        for part in parts { all += part.series.chunks.map { ($0, part.input) } }
        all.sort { $0.meta.minTime < $1.meta.minTime }
        let overlapping = zip(all, all.dropFirst()).contains { $0.meta.maxTime >= $1.meta.minTime }
        if !overlapping {
            return (try all.map { (c: (meta: ChunkMeta, input: Int)) throws(BlockError) -> SeriesChunk in
                SeriesChunk(minTime: c.meta.minTime, maxTime: c.meta.maxTime, chunk: try inputs[c.input].chunk(c.meta.ref))
            }, 0)
        }
        // Decode per input in the order given, so that on equal timestamps the earlier
        // input's sample comes first and is the one kept.
        var samples: [(sample: Sample, input: Int)] = []
        for part in parts {
            for meta in part.series.chunks {
                let chunk = try inputs[part.input].chunk(meta.ref)
                // A rollup chunk decodes to window averages: merging through samples
                // would lose its other aggregates.
                guard chunk.encoding == .xor else {
                    throw BlockError(
                        .unsupported,
                        "block \(inputs[part.input].meta.ulid), series \(part.series.labels): overlapping chunks of encoding \(chunk.encoding.rawValue) cannot be merged sample by sample")
                }
                do {
                    for s in try chunk.samples() { samples.append((s, part.input)) }
                } catch {
                    throw BlockError(.corrupt, "block \(inputs[part.input].meta.ulid), series \(part.series.labels): \(error)")
                }
            }
        }
        samples.sort { $0.sample.t != $1.sample.t ? $0.sample.t < $1.sample.t : $0.input < $1.input }
        var kept: [Sample] = []
        kept.reserveCapacity(samples.count)
        for s in samples where kept.last?.t != s.sample.t { kept.append(s.sample) }
        return (try SampleChunker.chunks(kept), samples.count - kept.count)
    }
}
