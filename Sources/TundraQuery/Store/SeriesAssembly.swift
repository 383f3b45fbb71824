import TundraBlock
import TundraEncoding
import TundraModel

/// One block's part of one series: raw samples (already limited to the block's time
/// range in the plan), or the rollup chunks that overlap it.
struct BlockPart: Sendable {
    enum Data: Sendable {
        case raw([Sample])
        case rollup([RollupChunk])
    }

    let block: ULID
    let data: Data
}

/// One segment of the plan with the parts of one series that its blocks hold, in the
/// segment's block order.
struct SegmentParts: Sendable {
    let resolution: QueryResolution
    let interval: Range<Int64>
    let parts: [BlockPart]
}

/// A point of an assembled series: time, value, and the count of the window it stands
/// for (1 for a raw sample), used by ``RollupUse/sumAndCount``.
struct Point: Sendable {
    var t: Int64
    var v: Double
    var c: Double
}

/// Turns a series' parts from several blocks and resolutions into one series in time
/// order: overlapping blocks give each timestamp once (the first block's, by minTime
/// then ULID), and with a rollup use, raw samples are converted to what the rollup
/// aggregate says (see ``RollupUse``) and the counter is chained across every part.
enum SeriesAssembly {
    /// Raw samples only (no rollup use): merged, one sample per timestamp.
    static func raw(_ segments: [SegmentParts]) -> [Sample] {
        var out: [Sample] = []
        for s in segments {
            let lists = s.parts.map { part -> [Sample] in
                guard case .raw(let samples) = part.data else { return [] }
                return samples.filter { s.interval.contains($0.t) }
            }
            out += mergeUnique(lists, time: \.t)
        }
        return out
    }

    /// The series as `use` wants it, and the resolutions that gave points.
    static func converted(_ segments: [SegmentParts], use: RollupUse) throws(StoreError) -> (points: [Point], resolutions: Set<QueryResolution>) {
        var chain = CounterChain()
        var out: [Point] = []
        var resolutions: Set<QueryResolution> = []
        for s in segments {
            let before = out.count
            if s.resolution == .raw {
                let lists = s.parts.map { part -> [Sample] in
                    guard case .raw(let samples) = part.data else { return [] }
                    return samples.filter { s.interval.contains($0.t) }
                }
                for sample in mergeUnique(lists, time: \.t) {
                    if let p = convertRaw(sample, use: use, chain: &chain) { out.append(p) }
                }
            } else {
                out += try rollupPoints(s, use: use, chain: &chain)
            }
            if out.count > before { resolutions.insert(s.resolution) }
        }
        return (out, resolutions)
    }

    /// One raw sample as the rollup use reads it. Stale markers are not samples to a
    /// rollup (the downsampler drops them), so only a selector alone (`average`) keeps
    /// them, where they still end the series.
    static func convertRaw(_ s: Sample, use: RollupUse, chain: inout CounterChain) -> Point? {
        if StaleNaN.isStale(s.v) {
            return use == .average ? Point(t: s.t, v: s.v, c: 1) : nil
        }
        switch use {
        case .counter:
            guard !s.v.isNaN else { return nil }
            return Point(t: s.t, v: chain.addRaw(s.v), c: 1)
        case .max, .min, .sum, .average, .sumAndCount:
            return Point(t: s.t, v: s.v, c: 1)
        case .count:
            return Point(t: s.t, v: 1, c: 1)
        case .resets:
            let reset = chain.lastRaw.map { s.v < $0 } ?? false
            chain.lastRaw = s.v
            chain.started = true
            return Point(t: s.t, v: reset ? 1 : 0, c: 1)
        }
    }

    private static func rollupPoints(_ s: SegmentParts, use: RollupUse, chain: inout CounterChain) throws(StoreError) -> [Point] {
        var chunksByBlock: [(ULID, [RollupChunk])] = []
        for part in s.parts {
            if case .rollup(let chunks) = part.data { chunksByBlock.append((part.block, chunks)) }
        }
        if use == .counter {
            // Chunks of overlapping blocks are taken in time order; a point at or
            // before the last one taken is skipped.
            let chunks = chunksByBlock.flatMap(\.1).sorted { ($0.minTime ?? .min) < ($1.minTime ?? .min) }
            var out: [Point] = []
            for chunk in chunks {
                out += chain.add(chunk, in: s.interval)
            }
            return out
        }
        var lists: [[Point]] = []
        for (block, chunks) in chunksByBlock {
            var points: [Point] = []
            for (i, chunk) in chunks.enumerated() {
                points += try windowPoints(chunk, use: use, block: block, firstOfBlock: i == 0, chain: &chain, interval: s.interval)
            }
            lists.append(points)
        }
        return mergeUnique(lists, time: \.t)
    }

    /// The window points of one chunk that fall in `interval`.
    private static func windowPoints(
        _ chunk: RollupChunk, use: RollupUse, block: ULID, firstOfBlock: Bool, chain: inout CounterChain, interval: Range<Int64>
    ) throws(StoreError) -> [Point] {
        func need(_ a: Aggregate) throws(StoreError) -> [Sample] {
            guard let points = chunk.samples(a) else {
                throw StoreError(block: block, file: nil, message: "a rollup chunk holds no \(a) aggregate, which this query reads")
            }
            return points
        }
        var out: [Point] = []
        switch use {
        case .max: out = try need(.max).map { Point(t: $0.t, v: $0.v, c: 1) }
        case .min: out = try need(.min).map { Point(t: $0.t, v: $0.v, c: 1) }
        case .sum: out = try need(.sum).map { Point(t: $0.t, v: $0.v, c: 1) }
        case .count: out = try need(.count).map { Point(t: $0.t, v: $0.v, c: $0.v) }
        case .average, .sumAndCount:
            // The decoder checked that sums and counts share their timestamps.
            out = zip(try need(.sum), try need(.count)).map { sum, count in
                Point(t: sum.t, v: use == .average ? sum.v / count.v : sum.v, c: count.v)
            }
        case .resets:
            out = try need(.resets).map { Point(t: $0.t, v: $0.v, c: 1) }
            let counter = chunk.samples(.counter)
            // A reset at a block's first sample is not in its resets (the block before
            // was another input of the downsampler): the counter's first raw value
            // against the last one before tells it.
            if firstOfBlock, let first = counter?.first?.v, let last = chain.lastRaw, first < last, let p = out.first, interval.contains(p.t) {
                out[0].v += 1
            }
            let lastWindowIn = out.last.map { interval.contains($0.t) } ?? false
            chain.lastRaw = lastWindowIn ? counter?.last?.v : nil
            chain.started = true
        case .counter:
            return []
        }
        return out.filter { interval.contains($0.t) }
    }

    /// Sorted lists merged into one, keeping the first list's point where several share
    /// a timestamp.
    static func mergeUnique<T>(_ lists: [[T]], time: (T) -> Int64) -> [T] {
        let nonEmpty = lists.filter { !$0.isEmpty }
        if nonEmpty.count <= 1 { return nonEmpty.first ?? [] }
        var tagged: [(t: Int64, list: Int, index: Int)] = []
        for (l, list) in nonEmpty.enumerated() {
            for (i, x) in list.enumerated() { tagged.append((time(x), l, i)) }
        }
        tagged.sort { ($0.t, $0.list, $0.index) < ($1.t, $1.list, $1.index) }
        var out: [T] = []
        out.reserveCapacity(tagged.count)
        var last: Int64?
        for e in tagged where e.t != last {
            out.append(nonEmpty[e.list][e.index])
            last = e.t
        }
        return out
    }
}

/// A counter with resets added back, carried across raw samples and rollup chunks of
/// any resolution, so a series' counter stays continuous where its parts meet.
///
/// Where a part starts with its true raw value and the part before ended with its true
/// raw value, the step between them is the raw increase (or the new value after a
/// reset), exactly as Prometheus' `increase` counts it. Where a rollup chunk is cut by
/// a segment boundary, the raw value at the cut is not known: the step across it counts
/// as no increase. Plans cut chunks only where blocks of different resolutions are not
/// aligned, which the compactor's aligned block ranges avoid.
struct CounterChain {
    var total: Double = 0
    /// The true raw value of the last point taken; nil when unknown.
    var lastRaw: Double?
    var started = false
    var lastT: Int64 = .min

    /// Takes a raw value; returns the adjusted total.
    mutating func addRaw(_ v: Double) -> Double {
        if !started {
            total = v
            started = true
        } else if let last = lastRaw {
            total += v >= last ? v - last : v
        }
        lastRaw = v
        return total
    }

    /// The adjusted points of one rollup chunk's counter that fall in `interval` and
    /// after the last point taken.
    mutating func add(_ chunk: RollupChunk, in interval: Range<Int64>) -> [Point] {
        guard let points = chunk.samples(.counter), let marker = points.last, points.count >= 2 else { return [] }
        let body = points.dropLast()
        var out: [Point] = []
        var previous: Double?
        var tookLast = false
        for (i, p) in body.enumerated() {
            defer { previous = p.v }
            guard interval.contains(p.t), p.t > lastT else { continue }
            if i == 0 {
                // The chunk's first point is its first raw value.
                _ = addRaw(p.v)
            } else if let prev = previous, out.isEmpty == false {
                total += p.v - prev
            } else if !started {
                total = p.v
                started = true
            }
            // Else a chunk cut on the left: its first point taken continues the chain.
            lastT = p.t
            out.append(Point(t: p.t, v: total, c: 1))
            tookLast = i == body.count - 1
        }
        if !out.isEmpty { lastRaw = tookLast ? marker.v : nil }
        return out
    }
}
