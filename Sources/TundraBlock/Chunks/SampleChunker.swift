import TundraEncoding
import TundraModel

/// Turns the samples of one series into XOR chunks for a block writer: at most
/// `samplesPerChunk` samples each, and never a chunk that crosses a multiple of
/// `blockRange`, so every chunk fits one block (the head cuts its chunks the same way).
///
/// ```swift
/// let chunks = try SampleChunker.chunks(samples, blockRange: 7_200_000)
/// let firstBlock = chunks.filter { SampleChunker.blockStart($0.minTime, range: 7_200_000) == t0 }
/// ```
public enum SampleChunker {
    /// Prometheus' target: about 120 samples keeps Gorilla near its best ratio while
    /// a query decodes little it does not need.
    public static let defaultSamplesPerChunk = 120

    /// Timestamps must increase strictly; a repeat or a step back is an error.
    public static func chunks(
        _ samples: some Sequence<Sample>, samplesPerChunk: Int = defaultSamplesPerChunk, blockRange: Int64? = nil
    ) throws(BlockError) -> [SeriesChunk] {
        let limit = max(1, min(samplesPerChunk, XORAppender.maxSamples))
        var out: [SeriesChunk] = []
        var app: XORAppender?
        var first: Int64 = 0
        var last: Int64 = .min
        var end: Int64 = .max
        func close() {
            if let a = app { out.append(SeriesChunk(minTime: first, maxTime: last, chunk: BlockChunk(a.chunk))) }
            app = nil
        }
        for s in samples {
            if app != nil {
                guard s.t > last else {
                    throw BlockError(.invalidInput, "sample at \(s.t) does not follow the one at \(last): timestamps must increase")
                }
                if (app?.count ?? 0) >= limit || s.t >= end { close() }
            }
            if app == nil {
                app = XORAppender()
                first = s.t
                end = blockRange.map { blockStart(s.t, range: $0) &+ $0 } ?? .max
            }
            app?.append(t: s.t, v: s.v)
            last = s.t
        }
        close()
        return out
    }

    /// The start of the block range holding `t`: ranges are aligned to multiples of
    /// `range` from the epoch, as Prometheus aligns them.
    public static func blockStart(_ t: Int64, range: Int64) -> Int64 {
        let (q, r) = t.quotientAndRemainder(dividingBy: range)
        return (r < 0 ? q - 1 : q) * range
    }
}
