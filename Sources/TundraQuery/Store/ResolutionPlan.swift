import TundraBlock
import TundraCompaction

/// Which blocks answer which times of a select: the coarsest resolution allowed that has
/// blocks, and for the times no block of it covers, the next finer one, down to raw.
///
/// Times are covered by blocks' `[minTime, maxTime)`, whatever series they hold, so
/// every series of a time range is read from one resolution.
struct ResolutionPlan: Sendable {
    /// A stretch of time read from one resolution: disjoint, in time order.
    struct Segment: Sendable {
        let resolution: QueryResolution
        /// Clipped to the query's range.
        let interval: Range<Int64>
        /// The blocks of `resolution` overlapping `interval`, by minTime then ULID.
        let blocks: [BlockMeta]
    }

    let segments: [Segment]

    /// Every block of the plan once, by minTime then ULID, with the hull of its
    /// segments (inclusive bounds, for the index's chunk selection).
    var blocks: [(meta: BlockMeta, resolution: QueryResolution, mint: Int64, maxt: Int64)] {
        var hull: [ULID: (meta: BlockMeta, resolution: QueryResolution, mint: Int64, maxt: Int64)] = [:]
        for s in segments {
            for b in s.blocks {
                let lo = max(s.interval.lowerBound, b.minTime)
                let hi = min(s.interval.upperBound, b.maxTime) - 1
                if let h = hull[b.ulid] {
                    hull[b.ulid] = (b, s.resolution, min(h.mint, lo), max(h.maxt, hi))
                } else {
                    hull[b.ulid] = (b, s.resolution, lo, hi)
                }
            }
        }
        return hull.values.sorted { ($0.meta.minTime, $0.meta.ulid) < ($1.meta.minTime, $1.meta.ulid) }
    }

    /// `blocks` are the usable blocks of the bucket; `mint`, `maxt` inclusive.
    /// `resolutions` are tried in the order given (coarsest first).
    init(blocks: [BlockMeta], mint: Int64, maxt: Int64, resolutions: [QueryResolution]) {
        var segments: [Segment] = []
        guard mint <= maxt else {
            self.segments = []
            return
        }
        var uncovered: [Range<Int64>] = [mint..<(maxt == .max ? .max : maxt + 1)]
        for r in resolutions where !uncovered.isEmpty {
            let tier = blocks.filter { Self.resolution(of: $0) == r && $0.minTime < $0.maxTime }
                .sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
            guard !tier.isEmpty else { continue }
            let covered = Self.union(tier.map { $0.minTime..<$0.maxTime })
            var left: [Range<Int64>] = []
            for u in uncovered {
                var rest: [Range<Int64>] = [u]
                for c in covered where c.overlaps(u) {
                    let piece = max(c.lowerBound, u.lowerBound)..<min(c.upperBound, u.upperBound)
                    let inside = tier.filter { $0.minTime < piece.upperBound && $0.maxTime > piece.lowerBound }
                    segments.append(Segment(resolution: r, interval: piece, blocks: inside))
                    rest = rest.flatMap { Self.subtract(piece, from: $0) }
                }
                left += rest
            }
            uncovered = left
        }
        self.segments = segments.sorted { $0.interval.lowerBound < $1.interval.lowerBound }
    }

    /// The resolution of a block's meta; nil for one this build does not query.
    static func resolution(of meta: BlockMeta) -> QueryResolution? {
        QueryResolution(rawValue: meta.tundra?.resolution ?? TundraBlockInfo.rawResolution)
    }

    /// The resolutions to read for a select, coarsest first.
    static func resolutions(maxResolution: QueryResolution, rollup: RollupUse?) -> [QueryResolution] {
        guard rollup != nil else { return [.raw] }
        return QueryResolution.allCases.filter { $0 <= maxResolution }.sorted(by: >)
    }

    /// Sorted, merged ranges.
    static func union(_ ranges: [Range<Int64>]) -> [Range<Int64>] {
        var out: [Range<Int64>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    static func subtract(_ cut: Range<Int64>, from r: Range<Int64>) -> [Range<Int64>] {
        guard cut.overlaps(r) else { return [r] }
        var out: [Range<Int64>] = []
        if r.lowerBound < cut.lowerBound { out.append(r.lowerBound..<cut.lowerBound) }
        if cut.upperBound < r.upperBound { out.append(cut.upperBound..<r.upperBound) }
        return out
    }
}

/// Which blocks of a manifest a query may read.
enum UsableBlocks {
    /// Live blocks, and blocks with a deletion mark unless a live block of the same
    /// resolution holds all their sources: the compactor deletes a marked block's files
    /// only after a delay, so a query never loses a block that has no replacement yet
    /// (or whose replacement it does not know of), while one that has is not read twice.
    static func select(_ blocks: [BucketManifest.Block]) -> [BucketManifest.Block] {
        let live = blocks.filter { $0.deletionMark == nil }
        return blocks.filter { b in
            guard b.deletionMark != nil else { return true }
            let sources = sourceSet(b.meta)
            let r = b.meta.tundra?.resolution ?? TundraBlockInfo.rawResolution
            return !live.contains { l in
                (l.meta.tundra?.resolution ?? TundraBlockInfo.rawResolution) == r && sources.isSubset(of: sourceSet(l.meta))
            }
        }
    }

    /// A block whose meta lists no sources is its own.
    static func sourceSet(_ meta: BlockMeta) -> Set<ULID> {
        meta.compaction.sources.isEmpty ? [meta.ulid] : Set(meta.compaction.sources)
    }
}
