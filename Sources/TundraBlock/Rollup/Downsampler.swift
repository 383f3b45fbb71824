import TundraEncoding
import TundraModel

/// Turns the samples of one series into rollup chunks, and rollup chunks into coarser
/// ones. Pure: the compactor reads the inputs and writes what comes back.
///
/// ```swift
/// let minute = try Downsampler.downsample(samples, resolution: RollupWindows.oneMinute)
/// let hour = try Downsampler.downsample(minute, resolution: RollupWindows.oneHour)
/// writer.addSeries(labels, chunks: hour.map(SeriesChunk.init))
/// ```
///
/// What each aggregate holds, and why, is in `docs/format/rollup.md`.
public enum Downsampler {
    /// Raw samples (strictly increasing timestamps) to rollup chunks of `resolution`.
    ///
    /// Stale markers are dropped: they are not samples, and a rollup has no way to say
    /// "gone" (queries on rollups see a series end by lookback instead). Other NaNs are
    /// samples: counted, summed (the sum turns NaN), ignored by min and max unless the
    /// window holds nothing else, and skipped by the counter, which would stay NaN.
    public static func downsample(_ samples: [Sample], resolution: Int64) throws(BlockError) -> [RollupChunk] {
        try checkResolution(resolution)
        var out: [RollupChunk] = []
        var piece: [Sample] = []
        var last: Int64?
        // The value before the piece: a reset at a piece's first sample counts there.
        var before: Double?
        let span = RollupWindows.chunkSpan(resolution: resolution)
        for s in samples where !StaleNaN.isStale(s.v) {
            if let last, s.t <= last {
                throw BlockError(.invalidInput, "sample at \(s.t) does not follow the one at \(last): timestamps must increase")
            }
            if let first = piece.first, RollupWindows.start(first.t, resolution: span) != RollupWindows.start(s.t, resolution: span) {
                out.append(rawChunk(piece, resolution: resolution, before: before))
                before = piece.last?.v
                piece.removeAll(keepingCapacity: true)
            }
            piece.append(s)
            last = s.t
        }
        if !piece.isEmpty { out.append(rawChunk(piece, resolution: resolution, before: before)) }
        return out
    }

    /// Rollup chunks of a finer resolution (time-ordered, as one series' chunks from one
    /// or more blocks) to chunks of `resolution`. Inputs are grouped whole into output
    /// chunks, never split: a chunk's first and last raw counter values are the only
    /// true raw values a rollup keeps, and splitting would lose them.
    ///
    /// An aggregate missing from some input of a group is left out of that output.
    public static func downsample(_ chunks: [RollupChunk], resolution: Int64) throws(BlockError) -> [RollupChunk] {
        try checkResolution(resolution)
        let span = RollupWindows.chunkSpan(resolution: resolution)
        var out: [RollupChunk] = []
        var group: [RollupChunk] = []
        var groupSpan: Int64?
        for chunk in chunks {
            guard let t = chunk.minTime else { continue }
            let s = RollupWindows.start(t, resolution: span)
            if let g = groupSpan, g != s {
                out.append(try aggregatedChunk(group, resolution: resolution))
                group.removeAll(keepingCapacity: true)
            }
            group.append(chunk)
            groupSpan = s
        }
        if !group.isEmpty { out.append(try aggregatedChunk(group, resolution: resolution)) }
        return out
    }

    private static func checkResolution(_ resolution: Int64) throws(BlockError) {
        guard resolution > 0 else { throw BlockError(.invalidInput, "rollup resolution \(resolution) ms: it must be positive") }
    }

    private static func rawChunk(_ samples: [Sample], resolution: Int64, before: Double?) -> RollupChunk {
        var windows: [XORChunk?] = []
        for aggregate in Aggregate.windowAggregates {
            let values: [Sample]
            switch aggregate {
            case .count: values = samples.map { Sample(t: $0.t, v: 1) }
            case .resets: values = resetMarks(samples, before: before)
            default: values = samples
            }
            windows.append(encode(RollupWindows.fold(values, aggregate, resolution: resolution)))
        }
        var track = CounterTrack()
        var adjusted: [Sample] = []
        for s in samples where !s.v.isNaN {
            adjusted.append(Sample(t: s.t, v: track.add(s.v)))
        }
        let counter = track.lastRaw.flatMap { CounterTrack.subChunk(adjusted: adjusted, rawLast: $0, resolution: resolution) }
        return RollupChunk(count: windows[0], sum: windows[1], min: windows[2], max: windows[3], counter: counter, resets: windows[4])
    }

    /// 1 at each sample below the one before it, else 0: PromQL's `resets()` compares
    /// neighbours this way, so a NaN neither is nor follows a reset.
    private static func resetMarks(_ samples: [Sample], before: Double?) -> [Sample] {
        var previous = before
        return samples.map { s in
            defer { previous = s.v }
            return Sample(t: s.t, v: previous.map { s.v < $0 ? 1 : 0 } ?? 0)
        }
    }

    private static func aggregatedChunk(_ group: [RollupChunk], resolution: Int64) throws(BlockError) -> RollupChunk {
        var windows: [XORChunk?] = []
        for aggregate in Aggregate.windowAggregates {
            let parts = group.map { $0.samples(aggregate) }
            guard parts.allSatisfy({ $0 != nil }) else {
                windows.append(nil)
                continue
            }
            let points = parts.lazy.compactMap { $0 }.joined()
            windows.append(encode(RollupWindows.fold(points, aggregate, resolution: resolution)))
        }
        let (adjusted, rawLast) = RollupSeries.chainCounter(group)
        var counter: XORChunk?
        if let rawLast, group.allSatisfy({ $0.contains(.counter) }) {
            counter = CounterTrack.subChunk(adjusted: adjusted, rawLast: rawLast, resolution: resolution)
        }
        return RollupChunk(count: windows[0], sum: windows[1], min: windows[2], max: windows[3], counter: counter, resets: windows[4])
    }

    private static func encode(_ points: [Sample]) -> XORChunk? {
        guard !points.isEmpty else { return nil }
        var app = XORAppender()
        for p in points { app.append(t: p.t, v: p.v) }
        return app.chunk
    }
}
