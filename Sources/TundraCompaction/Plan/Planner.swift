import TundraBlock

/// Decides the next step of a pass from the bucket as it is. Pure, so that a dry run
/// and the tests see exactly what a pass would do.
///
/// Steps come in this order, each kind only once the kinds before it have nothing left:
/// 1. a deletion mark on a block that a newer block at the same resolution fully
///    replaces (its sources and time range are inside the newer block's): the inputs
///    of a merge whose pass was cut off after the upload;
/// 2. merging blocks that overlap in time;
/// 3. merging adjacent blocks into the aligned window of a level (Prometheus'
///    planner): a window with two or more blocks, which is full or has newer data
///    after it;
/// 4. downsampling: raw blocks older than `downsampling.raw_after` to 1m, 1m blocks
///    older than `downsampling.1m_after` to 1h, unless coarser blocks already hold all
///    their sources or retention has passed at every coarser resolution;
/// 5. retention: a deletion mark once every series' period has passed, a rewrite
///    without the series whose period passed when only some have.
public struct Planner: Sendable {
    public var config: CompactorConfig
    /// Unix milliseconds.
    public var now: Int64
    /// Blocks the pass gave up on (a step with them failed): left alone until the
    /// next pass.
    public var excluded: Set<ULID> = []

    public init(config: CompactorConfig, now: Int64) {
        self.config = config
        self.now = now
    }

    public func next(_ blocks: [BucketManifest.Block]) -> PlanStep? {
        let live = blocks.filter { $0.deletionMark == nil && !excluded.contains($0.meta.ulid) }
        var byResolution: [Resolution: [BucketManifest.Block]] = [:]
        for block in live {
            // A resolution this build does not know is left alone, not guessed at.
            guard let r = Resolution(block: block.meta) else { continue }
            byResolution[r, default: []].append(block)
        }
        for r in Resolution.allCases {
            if let step = replaced(byResolution[r] ?? [], r) { return step }
        }
        for r in Resolution.allCases {
            if let step = overlapping(byResolution[r] ?? [], r) { return step }
        }
        for r in Resolution.allCases {
            if let step = levelMerge(byResolution[r] ?? [], r) { return step }
        }
        if config.downsampling.enabled {
            for r in [Resolution.raw, .oneMinute] {
                if let step = downsampling(byResolution, r) { return step }
            }
        }
        for r in Resolution.allCases {
            if let step = retention(byResolution, r) { return step }
        }
        return nil
    }

    private func replaced(_ blocks: [BucketManifest.Block], _ r: Resolution) -> PlanStep? {
        for b in blocks {
            let sources = b.meta.sourceSet
            for c in blocks where c.meta.ulid != b.meta.ulid {
                guard c.meta.minTime <= b.meta.minTime, c.meta.maxTime >= b.meta.maxTime else { continue }
                let other = c.meta.sourceSet
                guard sources.isSubset(of: other), other.count > sources.count || c.meta.ulid > b.meta.ulid else { continue }
                return PlanStep(.markForDeletion(.replaced(by: c.meta.ulid)), inputs: [b.meta], resolution: r)
            }
        }
        return nil
    }

    private func overlapping(_ blocks: [BucketManifest.Block], _ r: Resolution) -> PlanStep? {
        let sorted = blocks.map(\.meta).sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
        var group: [BlockMeta] = []
        var groupMax = Int64.min
        for meta in sorted {
            if meta.minTime < groupMax {
                group.append(meta)
                groupMax = max(groupMax, meta.maxTime)
                continue
            }
            if group.count > 1 { break }
            group = [meta]
            groupMax = meta.maxTime
        }
        return group.count > 1 ? PlanStep(.mergeOverlapping, inputs: group, resolution: r) : nil
    }

    private func levelMerge(_ blocks: [BucketManifest.Block], _ r: Resolution) -> PlanStep? {
        guard let newest = blocks.map(\.meta.maxTime).max() else { return nil }
        for range in config.levels.dropFirst() {
            var windows: [Int64: [BlockMeta]] = [:]
            for b in blocks {
                let start = floorDiv(b.meta.minTime, range) * range
                guard b.meta.maxTime <= start + range, b.meta.maxTime - b.meta.minTime < range else { continue }
                windows[start, default: []].append(b.meta)
            }
            for start in windows.keys.sorted() {
                guard let group = windows[start], group.count > 1 else { continue }
                let full = group.map(\.minTime).min() == start && group.map(\.maxTime).max() == start + range
                guard full || start + range <= newest else { continue }
                return PlanStep(.mergeLevel(range: range), inputs: group.sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }, resolution: r)
            }
        }
        return nil
    }

    private func downsampling(_ byResolution: [Resolution: [BucketManifest.Block]], _ r: Resolution) -> PlanStep? {
        guard let coarser = r.coarser else { return nil }
        let age = r == .raw ? config.downsampling.rawAfterMs : config.downsampling.oneMinuteAfterMs
        for b in (byResolution[r] ?? []).sorted(by: { $0.meta.minTime < $1.meta.minTime }) {
            guard b.meta.maxTime <= now - age, !covered(b.meta, r, byResolution), !coarserExpired(b.meta, r) else { continue }
            return PlanStep(.downsample(to: coarser), inputs: [b.meta], resolution: r)
        }
        return nil
    }

    /// Whether blocks at coarser resolutions than `r` hold every source of `block`: a
    /// 1h block counts for raw data too, once its 1m block went to retention.
    private func covered(_ block: BlockMeta, _ r: Resolution, _ byResolution: [Resolution: [BucketManifest.Block]]) -> Bool {
        var sources = Set<ULID>()
        for c in Resolution.allCases where c > r { sources.formUnion((byResolution[c] ?? []).flatMap(\.meta.sourceSet)) }
        return block.sourceSet.isSubset(of: sources)
    }

    /// Whether retention has passed for `block`'s range at every resolution coarser than
    /// `r`: a rollup made now would be deleted at once.
    private func coarserExpired(_ block: BlockMeta, _ r: Resolution) -> Bool {
        Resolution.allCases.filter { $0 > r }.allSatisfy { expiredEverywhere(block, at: $0) }
    }

    /// Whether `block` at `r` may lose data to retention: its rollup is in the bucket,
    /// retention would delete the rollup anyway, or the policy does not ask for one.
    private func rollupDone(_ block: BlockMeta, _ r: Resolution, _ byResolution: [Resolution: [BucketManifest.Block]]) -> Bool {
        guard config.retention.requireRollup, r.coarser != nil else { return true }
        return covered(block, r, byResolution) || coarserExpired(block, r)
    }

    /// Whether data of `block`'s time range is past retention at resolution `r` for
    /// every series, whatever override matches it.
    private func expiredEverywhere(_ block: BlockMeta, at r: Resolution) -> Bool {
        let policy = config.retention
        let periods = [policy.period(r)] + policy.overrides.indices.map { policy.period(r, override: $0) }
        return periods.allSatisfy { period in
            guard let period else { return false }
            let (expiry, overflow) = block.maxTime.addingReportingOverflow(period)
            return !overflow && expiry <= now
        }
    }

    private func retention(_ byResolution: [Resolution: [BucketManifest.Block]], _ r: Resolution) -> PlanStep? {
        let policy = config.retention
        let classes: [Int?] = [nil] + policy.overrides.indices.map { Optional($0) }
        for b in (byResolution[r] ?? []).sorted(by: { $0.meta.minTime < $1.meta.minTime }) {
            var expired: [Int?] = []
            var newlyExpired = false
            for c in classes {
                let period = c.map { policy.period(r, override: $0) } ?? policy.period(r)
                guard let period else { continue }
                let (expiry, overflow) = b.meta.maxTime.addingReportingOverflow(period)
                guard !overflow, expiry <= now else { continue }
                expired.append(c)
                if expiry > (b.retentionCheckedMs ?? Int64.min) { newlyExpired = true }
            }
            guard !expired.isEmpty, rollupDone(b.meta, r, byResolution) else { continue }
            if expired.count == classes.count {
                // The longest period that applies is the one whose passing let the block go.
                let longest = classes.compactMap { c in c.map { policy.period(r, override: $0) } ?? policy.period(r) }.max()
                return PlanStep(.markForDeletion(.retention(period: longest)), inputs: [b.meta], resolution: r)
            }
            if newlyExpired { return PlanStep(.rewrite(dropping: expired), inputs: [b.meta], resolution: r) }
        }
        return nil
    }
}

/// Division rounding towards minus infinity, for windows before 1970.
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension BlockMeta {
    /// The blocks this one was made from; a block whose meta lists none (written by a
    /// tool that leaves the field empty) is its own source.
    var sourceSet: Set<ULID> {
        compaction.sources.isEmpty ? [ulid] : Set(compaction.sources)
    }
}
