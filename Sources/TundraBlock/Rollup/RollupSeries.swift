import TundraEncoding
import TundraModel

/// Turns a series' rollup chunks (time-ordered) back into the sample series a PromQL
/// function evaluates.
///
/// | function | series | then |
/// | --- | --- | --- |
/// | `rate`, `increase`, `irate`, `delta` of a counter | ``counter(_:)`` | as on raw samples |
/// | `count_over_time` | `points(.count, ...)` | sum the points in range |
/// | `sum_over_time` | `points(.sum, ...)` | sum |
/// | `min_over_time`, `max_over_time` | `points(.min/.max, ...)` | min / max |
/// | `avg_over_time` | `points(.sum)` and `points(.count)` | Σ sum / Σ count, not a mean of means |
/// | a selector alone | ``average(_:)`` | per-window sum / count |
///
/// ```swift
/// let chunks = try series.chunks.map { try block.chunk($0.ref).rollup() }
/// let counter = RollupSeries.counter(chunks)   // feed to rate() as raw samples
/// ```
public enum RollupSeries {
    /// The reset-adjusted counter across all chunks: increasing as long as the raw
    /// counter is non-negative, so `rate` over it needs no reset handling. Resets
    /// inside a chunk were added back by the downsampler; between chunks they are
    /// found by comparing one chunk's last raw value with the next one's first.
    public static func counter(_ chunks: [RollupChunk]) -> [Sample] {
        chainCounter(chunks).points
    }

    /// The points of one window aggregate across chunks (chunks without it add none).
    /// For ``Aggregate/counter`` use ``counter(_:)``: the stored points restart per chunk.
    public static func points(_ aggregate: Aggregate, _ chunks: [RollupChunk]) -> [Sample] {
        chunks.flatMap { $0.samples(aggregate) ?? [] }
    }

    /// Per-window averages, sum / count. Throws when a chunk lacks either aggregate.
    public static func average(_ chunks: [RollupChunk]) throws(ChunkError) -> [Sample] {
        var out: [Sample] = []
        for chunk in chunks {
            guard let sums = chunk.samples(.sum), let counts = chunk.samples(.count) else {
                throw .corrupt("rollup chunk without sum and count has no average")
            }
            // The decoder checked that both have the same timestamps.
            out.append(contentsOf: zip(sums, counts).map { Sample(t: $0.t, v: $0.v / $1.v) })
        }
        return out
    }

    /// The chained counter points and the true raw value after the last of them (nil
    /// when no chunk holds a counter).
    static func chainCounter(_ chunks: [RollupChunk]) -> (points: [Sample], rawLast: Double?) {
        var track = CounterTrack()
        var out: [Sample] = []
        for chunk in chunks {
            guard let points = chunk.samples(.counter), let marker = points.last else { continue }
            for p in points.dropLast() {
                // Overlapping chunks (from overlapping blocks) never step back in time.
                if let last = out.last, p.t <= last.t { continue }
                out.append(Sample(t: p.t, v: track.add(p.v)))
            }
            track.setLastRaw(marker.v)
        }
        return (out, track.lastRaw)
    }
}
