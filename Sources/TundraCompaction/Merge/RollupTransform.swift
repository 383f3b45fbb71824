import TundraBlock
import TundraEncoding
import TundraModel

/// One series' chunks turned into rollup chunks of a coarser resolution.
enum RollupTransform {
    /// `tundra.rollup` of the blocks written: every rollup chunk holds these.
    static let aggregates = "count,sum,min,max,counter,resets"

    static func downsample(_ chunks: [SeriesChunk], from input: Int64, to output: Int64, labels: Labels) throws(MergeError) -> [SeriesChunk] {
        do {
            if input == TundraBlockInfo.rawResolution {
                var samples: [Sample] = []
                for c in chunks { samples += try c.chunk.samples() }
                return try Downsampler.downsample(samples, resolution: output).map(SeriesChunk.init)
            }
            var rollups: [RollupChunk] = []
            for c in chunks { rollups.append(try c.chunk.rollup()) }
            return try Downsampler.downsample(rollups, resolution: output).map(SeriesChunk.init)
        } catch let error as BlockError {
            throw .output(BlockError(error.code, "series \(labels): \(error.message)", file: error.file, offset: error.offset))
        } catch {
            throw .output(BlockError(.corrupt, "series \(labels): a chunk does not decode: \(error)"))
        }
    }
}
