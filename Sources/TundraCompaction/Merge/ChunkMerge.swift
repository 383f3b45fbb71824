import TundraBlock
import TundraEncoding
import TundraModel

/// The chunks of one series gathered from several blocks.
enum ChunkMerge {
    struct Merged {
        var chunks: [SeriesChunk]
        var duplicates: Int
        var samplesRead: Int
    }

    /// Copies the chunks where they do not overlap in time; where they do, decodes,
    /// merges in time order keeping the first input's sample of a repeated timestamp,
    /// and encodes again.
    static func merge(_ parts: [(input: Int, series: BlockSeries)], _ inputs: [BlockReader]) throws(MergeError) -> Merged {
        var all: [(meta: ChunkMeta, input: Int)] = []
        for part in parts { all += part.series.chunks.map { ($0, part.input) } }
        all.sort { $0.meta.minTime < $1.meta.minTime }
        let overlapping = zip(all, all.dropFirst()).contains { $0.meta.maxTime >= $1.meta.minTime }
        if !overlapping {
            var samplesRead = 0
            var chunks: [SeriesChunk] = []
            chunks.reserveCapacity(all.count)
            for c in all {
                let chunk = try read(c.meta.ref, from: inputs[c.input])
                samplesRead += try count(chunk, inputs[c.input], parts.first { $0.input == c.input }?.series.labels)
                chunks.append(SeriesChunk(minTime: c.meta.minTime, maxTime: c.meta.maxTime, chunk: chunk))
            }
            return Merged(chunks: chunks, duplicates: 0, samplesRead: samplesRead)
        }
        // Decode per input in the order given, so that on equal timestamps the earlier
        // input's sample comes first and is the one kept.
        var samples: [(sample: Sample, input: Int)] = []
        for part in parts {
            for meta in part.series.chunks {
                let chunk = try read(meta.ref, from: inputs[part.input])
                // A rollup chunk decodes to window averages: merging through samples
                // would lose its other aggregates.
                guard chunk.encoding == .xor else {
                    throw .overlappingRollups(
                        "blocks \(parts.map { inputs[$0.input].meta.ulid.description }.joined(separator: ", ")), series \(part.series.labels): overlapping chunks of encoding \(chunk.encoding.rawValue) cannot be merged sample by sample"
                    )
                }
                do {
                    for s in try chunk.samples() { samples.append((s, part.input)) }
                } catch {
                    throw .input(block: inputs[part.input].meta.ulid, BlockError(.corrupt, "series \(part.series.labels): \(error)"))
                }
            }
        }
        samples.sort { $0.sample.t != $1.sample.t ? $0.sample.t < $1.sample.t : $0.input < $1.input }
        var kept: [Sample] = []
        kept.reserveCapacity(samples.count)
        for s in samples where kept.last?.t != s.sample.t { kept.append(s.sample) }
        let chunks: [SeriesChunk]
        do {
            chunks = try SampleChunker.chunks(kept)
        } catch {
            throw .output(error)
        }
        return Merged(chunks: chunks, duplicates: samples.count - kept.count, samplesRead: samples.count)
    }

    private static func read(_ ref: ChunkRef, from input: BlockReader) throws(MergeError) -> BlockChunk {
        do {
            return try input.chunk(ref)
        } catch {
            throw .input(block: input.meta.ulid, error)
        }
    }

    private static func count(_ chunk: BlockChunk, _ input: BlockReader, _ labels: Labels?) throws(MergeError) -> Int {
        do {
            return try chunk.sampleCount()
        } catch {
            throw .input(block: input.meta.ulid, BlockError(.corrupt, "series \(labels.map { "\($0)" } ?? "?"): \(error)"))
        }
    }
}
