import Foundation
import Testing
import TundraBlock
import TundraModel

@testable import TundraCompaction

/// `Planner.next(_:)` on synthetic manifests: no store, no blocks on disk, only metas.
@Suite struct PlannerTests {
    static let minute: Int64 = 60_000
    static let hour = CompactorConfig.hour
    static let day = CompactorConfig.day
    /// A multiple of 14 days (1_405 of them), so windows of every default level
    /// (2h, 8h, 48h, 336h) start here.
    static let t0: Int64 = 1_699_488_000_000

    // MARK: - Building blocks

    /// Distinct ULIDs that sort by `n`.
    static func id(_ n: Int) -> ULID { ULID(high: UInt64(n) << 16, low: UInt64(n)) }

    /// A block `n` covering [from, to), made from the level-1 blocks `sources`
    /// (itself by default).
    static func block(
        _ n: Int, _ from: Int64, _ to: Int64, resolution: Resolution = .raw, sources: [Int]? = nil, level: Int = 1,
        marked: Bool = false, checked: Int64? = nil
    ) -> BucketManifest.Block {
        let ulid = id(n)
        let meta = BlockMeta(
            ulid: ulid, minTime: from, maxTime: to,
            stats: BlockStats(numSamples: 100, numSeries: 10, numChunks: 10),
            compaction: BlockCompaction(level: level, sources: (sources ?? [n]).map(id)),
            tundra: TundraBlockInfo(
                resolution: resolution.rawValue, rollup: resolution == .raw ? nil : "aggregates",
                source: resolution == .raw && level == 1 ? .head : .compactor, chunkEncodings: [1]))
        return BucketManifest.Block(
            meta: meta, deletionMark: marked ? DeletionMark(id: ulid, deletionTime: Date(timeIntervalSince1970: 1_700_000_000)) : nil,
            retentionCheckedMs: checked)
    }

    /// A 2h raw block `n` starting `k` 2h slots after t0, its own source.
    static func slot(_ n: Int, _ k: Int64) -> BucketManifest.Block { block(n, t0 + k * 2 * hour, t0 + (k + 1) * 2 * hour) }

    static func planner(now: Int64, _ configure: (inout CompactorConfig) -> Void = { _ in }) -> Planner {
        var config = CompactorConfig()
        configure(&config)
        return Planner(config: config, now: now)
    }

    static func override(_ selector: String, _ periods: [Resolution: Int64?]) throws -> RetentionPolicy.Override {
        RetentionPolicy.Override(selector: selector, matchers: try SelectorText.parse(selector), periods: periods)
    }

    /// The ULIDs of the step's inputs, in the step's order; empty for no step.
    static func inputs(_ step: PlanStep?) -> [ULID] { step?.inputs.map(\.ulid) ?? [] }

    // MARK: - Level merges

    @Test func fourAdjacentBlocksFillingAnAlignedWindowAreMerged() {
        // Given out of order, as nothing promises the caller sorts.
        let blocks = [Self.slot(3, 2), Self.slot(1, 0), Self.slot(4, 3), Self.slot(2, 1)]
        let step = Self.planner(now: Self.t0 + 8 * Self.hour + Self.minute).next(blocks)
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(step?.resolution == .raw)
        #expect(Self.inputs(step) == [1, 2, 3, 4].map(Self.id), "the four inputs in time order")
        #expect(step?.minTime == Self.t0)
        #expect(step?.maxTime == Self.t0 + 8 * Self.hour)
        #expect(step?.samples == 400)
    }

    @Test func theNewestIncompleteWindowWaits() {
        let blocks = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2)]
        #expect(Self.planner(now: Self.t0 + 6 * Self.hour + Self.minute).next(blocks) == nil)
    }

    @Test func anIncompleteWindowWithNewerDataAfterItIsMerged() {
        let blocks = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.slot(5, 4)]
        let step = Self.planner(now: Self.t0 + 10 * Self.hour + Self.minute).next(blocks)
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(Self.inputs(step) == [1, 2, 3].map(Self.id), "the block of the next window stays out")
    }

    @Test func aWindowWithAGapIsMerged() {
        // 2h-4h missing (the server was down): the window can never fill, and there is
        // newer data after it.
        let blocks = [Self.slot(1, 0), Self.slot(3, 2), Self.slot(4, 3), Self.slot(5, 4)]
        let step = Self.planner(now: Self.t0 + 10 * Self.hour).next(blocks)
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(Self.inputs(step) == [1, 3, 4].map(Self.id))
    }

    @Test func aLoneBlockInAWindowIsLeftAlone() {
        let blocks = [Self.slot(1, 0), Self.slot(5, 4), Self.slot(9, 8)]
        #expect(Self.planner(now: Self.t0 + 18 * Self.hour).next(blocks) == nil)
    }

    @Test func aBlockAsLongAsTheRangeIsNotMergedAgainAtThatLevel() {
        // An 8h block and the first 2h block of the next window: nothing to do at 8h,
        // and the 48h window is neither full nor followed by newer data.
        let blocks = [Self.block(9, Self.t0, Self.t0 + 8 * Self.hour, sources: [1, 2, 3, 4], level: 2), Self.slot(5, 4)]
        #expect(Self.planner(now: Self.t0 + 10 * Self.hour + Self.minute).next(blocks) == nil)
    }

    @Test func sixEightHourBlocksMakeATwoDayBlock() {
        let blocks = (0..<6).map { k in
            Self.block(10 + k, Self.t0 + Int64(k) * 8 * Self.hour, Self.t0 + Int64(k + 1) * 8 * Self.hour, sources: [k], level: 2)
        }
        let step = Self.planner(now: Self.t0 + 48 * Self.hour + Self.minute) { $0.downsampling.enabled = false }.next(blocks)
        #expect(step?.action == .mergeLevel(range: 48 * Self.hour))
        #expect(Self.inputs(step) == (10..<16).map(Self.id))
    }

    @Test func theSmallerLevelAndTheOlderWindowComeFirst() {
        // Two full 8h windows: the older one first.
        let blocks = (Int64(0)..<8).map { Self.slot(1 + Int($0), $0) }
        let step = Self.planner(now: Self.t0 + 16 * Self.hour).next(blocks)
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(Self.inputs(step) == [1, 2, 3, 4].map(Self.id))
    }

    @Test func levelsComeFromTheConfiguration() {
        let blocks = [Self.slot(1, 0), Self.slot(2, 1)]
        let step = Self.planner(now: Self.t0 + 4 * Self.hour) { $0.levels = [2 * Self.hour, 4 * Self.hour] }.next(blocks)
        #expect(step?.action == .mergeLevel(range: 4 * Self.hour))
        #expect(Self.inputs(step) == [1, 2].map(Self.id))
        // A single level: nothing is ever merged by level.
        #expect(Self.planner(now: Self.t0 + 30 * Self.hour) { $0.levels = [2 * Self.hour] }.next(blocks) == nil)
    }

    @Test func resolutionsAreMergedSeparately() {
        // Two 1m blocks in the first half of an 8h window, and raw data after the
        // window: there is no newer 1m data, so the 1m window still waits.
        let blocks = [
            Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1]),
            Self.block(12, Self.t0 + 2 * Self.hour, Self.t0 + 4 * Self.hour, resolution: .oneMinute, sources: [2]),
            Self.slot(5, 4),
        ]
        let step = Self.planner(now: Self.t0 + 10 * Self.hour).next(blocks)
        #expect(step == nil, "\(String(describing: step))")

        // With newer 1m data after the window, the 1m blocks are merged at 1m.
        let newer = blocks + [Self.block(15, Self.t0 + 8 * Self.hour, Self.t0 + 10 * Self.hour, resolution: .oneMinute, sources: [5])]
        let merge = Self.planner(now: Self.t0 + 10 * Self.hour).next(newer)
        #expect(merge?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(merge?.resolution == .oneMinute)
        #expect(Self.inputs(merge) == [11, 12].map(Self.id))
    }

    // MARK: - Overlaps

    @Test func overlappingBlocksAreMergedBeforeLevelMerges() {
        // A full 8h window, plus a late block overlapping the first two.
        let late = Self.block(20, Self.t0 + Self.hour, Self.t0 + 3 * Self.hour)
        let blocks = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.slot(4, 3), late]
        let step = Self.planner(now: Self.t0 + 8 * Self.hour + Self.minute).next(blocks)
        #expect(step?.action == .mergeOverlapping)
        #expect(Self.inputs(step) == [1, 20, 2].map(Self.id), "the overlapping group, by minTime")
    }

    @Test func replicasOfTheSameRangeAreMerged() {
        // Two servers scraping the same targets: same range, different sources.
        let blocks = [Self.block(1, Self.t0, Self.t0 + 2 * Self.hour), Self.block(2, Self.t0, Self.t0 + 2 * Self.hour)]
        let step = Self.planner(now: Self.t0 + 3 * Self.hour).next(blocks)
        #expect(step?.action == .mergeOverlapping)
        #expect(Self.inputs(step) == [1, 2].map(Self.id))
    }

    @Test func blocksThatOnlyTouchDoNotOverlap() {
        // maxTime is exclusive: [0, 2h) and [2h, 4h) share no millisecond.
        let blocks = [Self.slot(1, 0), Self.slot(2, 1)]
        #expect(Self.planner(now: Self.t0 + 4 * Self.hour).next(blocks) == nil)
    }

    @Test func aRollupDoesNotOverlapItsRawBlock() {
        let blocks = [Self.slot(1, 0), Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1])]
        #expect(Self.planner(now: Self.t0 + 3 * Self.hour).next(blocks) == nil)
    }

    // MARK: - Replaced inputs

    @Test func inputsOfAFinishedMergeAreMarkedReplaced() {
        // A merge uploaded its output and the pass stopped before marking the inputs.
        let merged = Self.block(9, Self.t0, Self.t0 + 8 * Self.hour, sources: [1, 2, 3, 4], level: 2)
        let blocks = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.slot(4, 3), merged]
        let step = Self.planner(now: Self.t0 + 8 * Self.hour + Self.minute).next(blocks)
        #expect(step?.action == .markForDeletion(.replaced(by: Self.id(9))), "before the overlap merge")
        #expect(Self.inputs(step) == [Self.id(1)])
        #expect(step?.resolution == .raw)
    }

    @Test func ofTwoCopiesTheOlderIsReplaced() {
        let blocks = [Self.block(1, Self.t0, Self.t0 + 2 * Self.hour), Self.block(2, Self.t0, Self.t0 + 2 * Self.hour, sources: [1])]
        let step = Self.planner(now: Self.t0 + 3 * Self.hour).next(blocks)
        #expect(step?.action == .markForDeletion(.replaced(by: Self.id(2))))
        #expect(Self.inputs(step) == [Self.id(1)])
    }

    @Test func aBlockOutsideTheNewerBlocksRangeIsNotReplaced() {
        // Same sources, but block 1 reaches before block 9: block 9 cannot stand in
        // for it, so the two are merged instead.
        let blocks = [Self.slot(1, 0), Self.block(9, Self.t0 + Self.hour, Self.t0 + 2 * Self.hour, sources: [1], level: 2)]
        let step = Self.planner(now: Self.t0 + 3 * Self.hour).next(blocks)
        #expect(step?.action == .mergeOverlapping)
    }

    @Test func anOldRollupIsReplacedByTheRollupOfTheMergedBlock() {
        let blocks = [
            Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1]),
            Self.block(19, Self.t0, Self.t0 + 8 * Self.hour, resolution: .oneMinute, sources: [1, 2, 3, 4], level: 2),
        ]
        let step = Self.planner(now: Self.t0 + 50 * Self.hour).next(blocks)
        #expect(step?.action == .markForDeletion(.replaced(by: Self.id(19))))
        #expect(Self.inputs(step) == [Self.id(11)])
        #expect(step?.resolution == .oneMinute)
    }

    // MARK: - Blocks the planner must not touch

    @Test func blocksWithDeletionMarksAreIgnored() {
        // The block that would fill the window is going away: the window is incomplete.
        let blocks = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.block(4, Self.t0 + 6 * Self.hour, Self.t0 + 8 * Self.hour, marked: true)]
        #expect(Self.planner(now: Self.t0 + 8 * Self.hour + Self.minute).next(blocks) == nil)

        // A marked merge output replaces nothing: its inputs are merged again.
        let merged = Self.block(9, Self.t0, Self.t0 + 8 * Self.hour, sources: [1, 2, 3, 4], level: 2, marked: true)
        let again = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.slot(4, 3), merged]
        let step = Self.planner(now: Self.t0 + 8 * Self.hour + Self.minute).next(again)
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(Self.inputs(step) == [1, 2, 3, 4].map(Self.id))

        // Nor is a marked block downsampled or marked again for retention.
        let old = [Self.block(1, Self.t0, Self.t0 + 2 * Self.hour, marked: true)]
        #expect(Self.planner(now: Self.t0 + 30 * Self.day).next(old) == nil)
    }

    @Test func excludedBlocksAreIgnored() {
        var planner = Self.planner(now: Self.t0 + 8 * Self.hour + Self.minute)
        let full = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.slot(4, 3)]
        planner.excluded = [Self.id(4)]
        #expect(planner.next(full) == nil, "without block 4 the window is incomplete")

        // The overlap merge with the late block failed: the level merge goes ahead without it.
        let late = Self.block(20, Self.t0 + Self.hour, Self.t0 + 3 * Self.hour)
        planner.excluded = [Self.id(20)]
        let step = planner.next(full + [late])
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(Self.inputs(step) == [1, 2, 3, 4].map(Self.id))

        // An old raw block whose downsampling failed is not planned again this pass.
        var later = Self.planner(now: Self.t0 + 30 * Self.day)
        later.excluded = [Self.id(1)]
        #expect(later.next([Self.slot(1, 0)]) == nil)
    }

    @Test func blocksOfAnUnknownResolutionAreLeftAlone() {
        var odd = Self.block(1, Self.t0, Self.t0 + 2 * Self.hour)
        odd.meta.tundra?.resolution = 5 * Self.minute
        var odd2 = Self.block(2, Self.t0 + 2 * Self.hour, Self.t0 + 4 * Self.hour)
        odd2.meta.tundra?.resolution = 5 * Self.minute
        #expect(Self.planner(now: Self.t0 + 400 * Self.day).next([odd, odd2]) == nil)
    }

    @Test func prometheusBlocksWithoutATundraSectionAreRaw() {
        var blocks = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.slot(4, 3)]
        for i in blocks.indices { blocks[i].meta.tundra = nil }
        let step = Self.planner(now: Self.t0 + 8 * Self.hour).next(blocks)
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
        #expect(step?.resolution == .raw)
    }

    // MARK: - Downsampling

    @Test func aRawBlockOlderThanRawAfterIsDownsampled() {
        let raw = [Self.slot(1, 0)]
        let due = Self.t0 + 2 * Self.hour + 40 * Self.hour
        #expect(Self.planner(now: due - 1).next(raw) == nil, "40h after its newest sample, not before")
        let step = Self.planner(now: due).next(raw)
        #expect(step?.action == .downsample(to: .oneMinute))
        #expect(step?.resolution == .raw)
        #expect(Self.inputs(step) == [Self.id(1)])
    }

    @Test func rawAfterComesFromTheConfiguration() {
        let raw = [Self.slot(1, 0)]
        let step = Self.planner(now: Self.t0 + 3 * Self.hour) { $0.downsampling.rawAfterMs = Self.hour }.next(raw)
        #expect(step?.action == .downsample(to: .oneMinute))
    }

    @Test func aRawBlockWithItsRollupIsNotDownsampledAgain() {
        let blocks = [Self.slot(1, 0), Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1])]
        #expect(Self.planner(now: Self.t0 + 3 * Self.day).next(blocks) == nil)
    }

    @Test func aMergedRawBlockWhoseSourcesAreOnlyPartlyRolledUpIsDownsampled() {
        let blocks = [
            Self.block(9, Self.t0, Self.t0 + 8 * Self.hour, sources: [1, 2, 3, 4], level: 2),
            Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1]),
            Self.block(12, Self.t0 + 2 * Self.hour, Self.t0 + 4 * Self.hour, resolution: .oneMinute, sources: [2]),
        ]
        // A single level, so that the 1m blocks are not merged first.
        let planner = Self.planner(now: Self.t0 + 3 * Self.day) { $0.levels = [2 * Self.hour] }
        let step = planner.next(blocks)
        #expect(step?.action == .downsample(to: .oneMinute))
        #expect(Self.inputs(step) == [Self.id(9)])

        // Covered by several rollups together: nothing to do.
        let covered = blocks + [Self.block(13, Self.t0 + 4 * Self.hour, Self.t0 + 8 * Self.hour, resolution: .oneMinute, sources: [3, 4], level: 2)]
        #expect(planner.next(covered) == nil)
    }

    @Test func theOldestRawBlockIsDownsampledFirst() {
        let blocks = [Self.block(5, Self.t0 + 8 * Self.hour, Self.t0 + 10 * Self.hour), Self.slot(1, 0)]
        let step = Self.planner(now: Self.t0 + 3 * Self.day).next(blocks)
        #expect(step?.action == .downsample(to: .oneMinute))
        #expect(Self.inputs(step) == [Self.id(1)])
    }

    @Test func levelMergesComeBeforeDownsampling() {
        let blocks = [Self.slot(1, 0), Self.slot(2, 1), Self.slot(3, 2), Self.slot(4, 3)]
        let step = Self.planner(now: Self.t0 + 3 * Self.day).next(blocks)
        #expect(step?.action == .mergeLevel(range: 8 * Self.hour))
    }

    @Test func aOneMinuteBlockOlderThanTenDaysIsDownsampledToOneHour() {
        let oneMinute = [Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1])]
        let due = Self.t0 + 2 * Self.hour + 10 * Self.day
        #expect(Self.planner(now: due - 1).next(oneMinute) == nil)
        let step = Self.planner(now: due).next(oneMinute)
        #expect(step?.action == .downsample(to: .oneHour))
        #expect(step?.resolution == .oneMinute)
        #expect(Self.inputs(step) == [Self.id(11)])

        // With its 1h rollup: done.
        let rolled = oneMinute + [Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])]
        #expect(Self.planner(now: due).next(rolled) == nil)
    }

    @Test func rawIsDownsampledBeforeOneMinute() {
        let blocks = [
            Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1]),
            Self.block(2, Self.t0 + 2 * Self.hour, Self.t0 + 4 * Self.hour),
        ]
        let step = Self.planner(now: Self.t0 + 11 * Self.day) { $0.retention.periods[.raw] = .some(nil) }.next(blocks)
        #expect(step?.action == .downsample(to: .oneMinute))
        #expect(Self.inputs(step) == [Self.id(2)])
    }

    @Test func noDownsamplingWhenItIsDisabled() {
        let blocks = [
            Self.slot(1, 0),
            Self.block(12, Self.t0 + 2 * Self.hour, Self.t0 + 4 * Self.hour, resolution: .oneMinute, sources: [2]),
        ]
        // Past raw_after and 1m_after, short of every retention period.
        let now = Self.t0 + 4 * Self.hour + 11 * Self.day
        let enabled = Self.planner(now: now) { $0.retention.periods[.raw] = .some(nil) }
        #expect(enabled.next(blocks)?.action == .downsample(to: .oneMinute), "the same bucket with downsampling on")
        let disabled = Self.planner(now: now) {
            $0.downsampling.enabled = false
            $0.retention.periods[.raw] = .some(nil)
        }
        #expect(disabled.next(blocks) == nil)
    }

    // MARK: - Retention

    /// A 2h raw block at t0 and its 1m rollup.
    static let rawWithRollup = [Self.slot(1, 0), Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1])]
    /// When the default raw retention (7d) of ``rawWithRollup``'s raw block passes.
    static let rawExpiry = Self.t0 + 2 * Self.hour + 7 * Self.day

    @Test func aRawBlockPastSevenDaysWithItsRollupIsMarked() {
        #expect(Self.planner(now: Self.rawExpiry - 1).next(Self.rawWithRollup) == nil)
        let step = Self.planner(now: Self.rawExpiry).next(Self.rawWithRollup)
        #expect(step?.action == .markForDeletion(.retention(period: 7 * Self.day)))
        #expect(step?.resolution == .raw)
        #expect(Self.inputs(step) == [Self.id(1)])
        // DurationText writes 7d as 1w.
        #expect(step.map { "\($0)" }?.contains("retention 1w passed") == true, "\(String(describing: step))")
    }

    @Test func aRawBlockWithoutItsRollupIsKeptWhileRollupsAreRequired() {
        let raw = [Self.slot(1, 0)]
        // Downsampling on: the rollup is made first.
        #expect(Self.planner(now: Self.rawExpiry).next(raw)?.action == .downsample(to: .oneMinute))
        // Downsampling off: the rollup never comes, the block stays as long as a
        // rollup could still be kept (1h: 365 days).
        let off: (inout CompactorConfig) -> Void = { $0.downsampling.enabled = false }
        #expect(Self.planner(now: Self.rawExpiry, off).next(raw) == nil)
        let oneHourExpiry = Self.t0 + 2 * Self.hour + 365 * Self.day
        #expect(Self.planner(now: oneHourExpiry - 1, off).next(raw) == nil)
        // Past every coarser resolution's retention, a rollup would be deleted at once:
        // the raw block goes without one.
        let step = Self.planner(now: oneHourExpiry, off).next(raw)
        #expect(step?.action == .markForDeletion(.retention(period: 7 * Self.day)))
        // And with downsampling on, no rollup is made that late.
        #expect(Self.planner(now: oneHourExpiry).next(raw)?.action == .markForDeletion(.retention(period: 7 * Self.day)))
        #expect(Self.planner(now: oneHourExpiry - 1).next(raw)?.action == .downsample(to: .oneMinute))
    }

    @Test func aOneHourRollupCoversRawDataOnceTheOneMinuteRollupIsGone() {
        // Raw kept 60d, 1m 30d: at 31d the 1m block went to retention; the 1h block
        // still holds the raw block's sources, so no new 1m rollup is made.
        let blocks = [Self.slot(1, 0), Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])]
        let configure: (inout CompactorConfig) -> Void = { $0.retention.periods[.raw] = 60 * Self.day }
        #expect(Self.planner(now: Self.t0 + 2 * Self.hour + 31 * Self.day, configure).next(blocks) == nil)
        // At 60d the raw block goes, its data being in the 1h block.
        let step = Self.planner(now: Self.t0 + 2 * Self.hour + 60 * Self.day, configure).next(blocks)
        #expect(step?.action == .markForDeletion(.retention(period: 60 * Self.day)))
        #expect(Self.inputs(step) == [Self.id(1)])
    }

    @Test func withoutRequiredRollupsARawBlockIsMarkedAnyway() {
        let raw = [Self.slot(1, 0)]
        let step = Self.planner(now: Self.rawExpiry) {
            $0.downsampling.enabled = false
            $0.retention.requireRollup = false
        }.next(raw)
        #expect(step?.action == .markForDeletion(.retention(period: 7 * Self.day)))
        #expect(Self.inputs(step) == [Self.id(1)])
    }

    @Test func aOneMinuteBlockPastThirtyDaysNeedsItsOneHourRollup() {
        let oneMinute = Self.block(11, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneMinute, sources: [1])
        let oneHour = Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])
        let expiry = Self.t0 + 2 * Self.hour + 30 * Self.day
        #expect(Self.planner(now: expiry - 1).next([oneMinute, oneHour]) == nil)
        let step = Self.planner(now: expiry).next([oneMinute, oneHour])
        #expect(step?.action == .markForDeletion(.retention(period: 30 * Self.day)))
        #expect(Self.inputs(step) == [Self.id(11)])
        #expect(step?.resolution == .oneMinute)
        #expect(Self.planner(now: expiry).next([oneMinute])?.action == .downsample(to: .oneHour))
    }

    @Test func oneHourBlocksAreKeptForAYear() {
        let oneHour = [Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])]
        let expiry = Self.t0 + 2 * Self.hour + 365 * Self.day
        #expect(Self.planner(now: expiry - 1).next(oneHour) == nil)
        let step = Self.planner(now: expiry).next(oneHour)
        #expect(step?.action == .markForDeletion(.retention(period: 365 * Self.day)))
        #expect(step?.resolution == .oneHour)
        #expect(Self.inputs(step) == [Self.id(21)])
        // Kept forever: never marked.
        #expect(Self.planner(now: expiry + 3650 * Self.day) { $0.retention.periods[.oneHour] = .some(nil) }.next(oneHour) == nil)
    }

    @Test func aLongerOverrideRewritesTheBlockWithoutTheExpiredDefaultClass() throws {
        let slo = try Self.override(#"{slo="yes"}"#, [.raw: 90 * Self.day])
        let configure: (inout CompactorConfig) -> Void = { $0.retention.overrides = [slo] }
        let step = Self.planner(now: Self.rawExpiry, configure).next(Self.rawWithRollup)
        #expect(step?.action == .rewrite(dropping: [nil]))
        #expect(step?.resolution == .raw)
        #expect(Self.inputs(step) == [Self.id(1)])
    }

    @Test func aRewrittenBlockIsNotRewrittenAgainForTheSameExpiry() throws {
        let slo = try Self.override(#"{slo="yes"}"#, [.raw: 90 * Self.day])
        let configure: (inout CompactorConfig) -> Void = { $0.retention.overrides = [slo] }
        let now = Self.rawExpiry + Self.day
        var blocks = Self.rawWithRollup
        blocks[0].retentionCheckedMs = Self.rawExpiry
        #expect(Self.planner(now: now, configure).next(blocks) == nil, "checked at the expiry")
        blocks[0].retentionCheckedMs = now - Self.hour
        #expect(Self.planner(now: now, configure).next(blocks) == nil, "checked after the expiry")
        blocks[0].retentionCheckedMs = Self.rawExpiry - 1
        #expect(Self.planner(now: now, configure).next(blocks)?.action == .rewrite(dropping: [nil]), "checked before the expiry")
    }

    @Test func aBlockIsMarkedOnceEveryClassExpired() throws {
        let slo = try Self.override(#"{slo="yes"}"#, [.raw: 90 * Self.day])
        let configure: (inout CompactorConfig) -> Void = { $0.retention.overrides = [slo] }
        // Rolled up to 1m and 1h, so that neither the rollups nor 1m retention come first.
        var blocks = Self.rawWithRollup + [Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])]
        blocks[0].retentionCheckedMs = Self.rawExpiry
        let expiry = Self.t0 + 2 * Self.hour + 90 * Self.day
        #expect(Self.planner(now: expiry - 1, configure).next(blocks)?.resolution != .raw)
        let step = Self.planner(now: expiry, configure).next(blocks)
        // The reason names the longest period that applied: the one whose end let the block go.
        #expect(step?.action == .markForDeletion(.retention(period: 90 * Self.day)))
        #expect(step?.resolution == .raw)
        #expect(Self.inputs(step) == [Self.id(1)])
    }

    @Test func aShorterOverrideDropsOnlyItsClass() throws {
        let dev = try Self.override(#"{env="dev"}"#, [.raw: Self.day])
        let slo = try Self.override(#"{slo="yes"}"#, [.raw: 90 * Self.day])
        let configure: (inout CompactorConfig) -> Void = { $0.retention.overrides = [dev, slo] }
        let now = Self.t0 + 2 * Self.hour + 2 * Self.day
        let step = Self.planner(now: now, configure).next(Self.rawWithRollup)
        #expect(step?.action == .rewrite(dropping: [0]))
        // Without its rollup the dev class waits too (the rollup is not due before 40h).
        #expect(Self.planner(now: Self.t0 + 2 * Self.hour + Self.day, configure).next([Self.slot(1, 0)]) == nil)
        // Past 7d the default class goes as well; the slo class stays.
        var blocks = Self.rawWithRollup
        blocks[0].retentionCheckedMs = now
        let later = Self.planner(now: Self.rawExpiry, configure).next(blocks)
        #expect(later?.action == .rewrite(dropping: [nil, 0]))
    }

    @Test func anOverrideKeptForeverIsNeverMarked() throws {
        let keep = try Self.override(#"{keep="forever"}"#, [.raw: Int64?.none, .oneMinute: Int64?.none, .oneHour: Int64?.none])
        let configure: (inout CompactorConfig) -> Void = { $0.retention.overrides = [keep] }
        #expect(Self.planner(now: Self.rawExpiry, configure).next(Self.rawWithRollup)?.action == .rewrite(dropping: [nil]))
        var blocks = Self.rawWithRollup + [Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])]
        blocks[0].retentionCheckedMs = Self.rawExpiry
        blocks[1].retentionCheckedMs = Self.t0 + 2 * Self.hour + 30 * Self.day
        blocks[2].retentionCheckedMs = Self.t0 + 2 * Self.hour + 365 * Self.day
        let step = Self.planner(now: Self.t0 + 3650 * Self.day, configure).next(blocks)
        #expect(step == nil, "\(String(describing: step))")
    }

    @Test func anOverrideWithoutItsOwnRawPeriodFollowsTheDefault() throws {
        let other = try Self.override(#"{team="a"}"#, [.oneHour: 730 * Self.day])
        let step = Self.planner(now: Self.rawExpiry) { $0.retention.overrides = [other] }.next(Self.rawWithRollup)
        #expect(step?.action == .markForDeletion(.retention(period: 7 * Self.day)))
    }

    @Test func foreverByDefaultKeepsRawBlocks() {
        let step = Self.planner(now: Self.t0 + 3650 * Self.day) {
            $0.retention.periods[.raw] = .some(nil)
            $0.retention.periods[.oneMinute] = .some(nil)
            $0.retention.periods[.oneHour] = .some(nil)
        }.next(Self.rawWithRollup + [Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])])
        #expect(step == nil, "\(String(describing: step))")
    }

    @Test func downsamplingComesBeforeRetention() {
        // Past 7d without a rollup, rollups not required: rolled up first all the same.
        let step = Self.planner(now: Self.rawExpiry) { $0.retention.requireRollup = false }.next([Self.slot(1, 0)])
        #expect(step?.action == .downsample(to: .oneMinute))
    }

    // MARK: - Rollups whose own retention has passed

    /// Raw data kept longer than its 1m rollup (`{slo="yes"}` raw 90d, 1m at the
    /// default 30d): at 30d the 1m block is marked for retention. The raw block must
    /// not then be rolled up to 1m again, since that rollup would be past its
    /// retention the moment it is written: the pass would alternate the two steps
    /// forever (see ``aPassWhereRawOutlivesItsRollupEnds(byOverride:)``).
    @Test func aRollupPastItsOwnRetentionIsNotMadeAgain() throws {
        let slo = try Self.override(#"{slo="yes"}"#, [.raw: 90 * Self.day])
        let configure: (inout CompactorConfig) -> Void = { $0.retention.overrides = [slo] }
        var blocks = Self.rawWithRollup + [Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])]
        blocks[0].retentionCheckedMs = Self.rawExpiry  // the default class was already dropped
        let now = Self.t0 + 2 * Self.hour + 31 * Self.day

        let first = Self.planner(now: now, configure).next(blocks)
        #expect(first?.action == .markForDeletion(.retention(period: 30 * Self.day)))
        #expect(Self.inputs(first) == [Self.id(11)])

        blocks[1].deletionMark = DeletionMark(id: Self.id(11), deletionTime: Date(timeIntervalSince1970: 1_702_000_000))
        let second = Self.planner(now: now, configure).next(blocks)
        #expect(second == nil, "expected nothing to do, got: \(String(describing: second))")

        // At 90d the slo class passes too; the raw block goes (its 1h rollup is there,
        // and a 1m rollup could not be kept anyway).
        let end = Self.planner(now: Self.t0 + 2 * Self.hour + 90 * Self.day, configure).next(blocks)
        #expect(end?.action == .markForDeletion(.retention(period: 90 * Self.day)), "got: \(String(describing: end))")
        #expect(Self.inputs(end) == [Self.id(1)])
    }

    /// The steps a pass takes, simulated as `--dry-run` does (``DryRun/simulate``),
    /// with a bound instead of the pass's unbounded loop.
    static func pass(_ planner: Planner, _ blocks: [BucketManifest.Block], bound: Int = 40) -> [PlanStep] {
        var manifest = BucketManifest(writtenAt: Date(unixMilliseconds: planner.now), blocks: blocks)
        let ulids = ULIDGenerator()
        var steps: [PlanStep] = []
        while steps.count < bound, let step = planner.next(manifest.blocks) {
            steps.append(step)
            DryRun.simulate(step, on: &manifest, now: planner.now, ulid: ulids.next(milliseconds: UInt64(planner.now)))
        }
        return steps
    }

    /// With raw data kept longer than 1m data, a pass 31 days after the data must end,
    /// not alternate "downsample to 1m" and "mark for deletion: retention 30d passed"
    /// (see ``aRollupPastItsOwnRetentionIsNotMadeAgain()``).
    @Test(arguments: [false, true])
    func aPassWhereRawOutlivesItsRollupEnds(byOverride: Bool) throws {
        let slo = try Self.override(#"{slo="yes"}"#, [.raw: 90 * Self.day])
        let planner = Self.planner(now: Self.t0 + 2 * Self.hour + 31 * Self.day) {
            if byOverride {
                $0.retention.overrides = [slo]
            } else {
                $0.retention.periods[.raw] = 60 * Self.day  // longer than 1m's 30d
            }
        }
        var blocks = Self.rawWithRollup + [Self.block(21, Self.t0, Self.t0 + 2 * Self.hour, resolution: .oneHour, sources: [1])]
        if byOverride { blocks[0].retentionCheckedMs = Self.rawExpiry }
        let steps = Self.pass(planner, blocks)
        #expect(steps.count < 40, "the pass does not end: \(steps.prefix(4).map(\.verb)) ...")
        #expect(steps.first?.action == .markForDeletion(.retention(period: 30 * Self.day)))
    }

    // MARK: - A day of data through its whole life

    struct Lifecycle: Sendable, CustomTestStringConvertible {
        let name: String
        /// How long every series of the day is kept at some resolution.
        var keptFor: Int64 = 365 * PlannerTests.day
        let configure: @Sendable (inout CompactorConfig) throws -> Void
        var testDescription: String { name }
    }

    /// One day of 2h raw blocks, and a pass every 6 hours for 400 days, steps simulated
    /// as `--dry-run` does and marked blocks dropped before the next pass. Every pass
    /// ends; until the longest retention could have passed (1h: 365 days), every
    /// source and every millisecond of the day is in some live block; after it,
    /// nothing is left.
    @Test(arguments: [
        Lifecycle(name: "defaults") { _ in },
        Lifecycle(name: "raw kept 60d, longer than 1m") { $0.retention.periods[.raw] = 60 * PlannerTests.day },
        Lifecycle(name: "slo raw 90d, dev raw 1d") {
            $0.retention.overrides = [
                try PlannerTests.override(#"{slo="yes"}"#, [.raw: 90 * PlannerTests.day]),
                try PlannerTests.override(#"{env="dev"}"#, [.raw: PlannerTests.day]),
            ]
        },
        Lifecycle(name: "no downsampling, no rollups required", keptFor: 7 * PlannerTests.day) {
            $0.downsampling.enabled = false
            $0.retention.requireRollup = false
        },
        Lifecycle(name: "levels 2h, 1d") { $0.levels = [2 * PlannerTests.hour, PlannerTests.day] },
    ])
    func aDayOfDataLivesAndGoes(_ lifecycle: Lifecycle) throws {
        var config = CompactorConfig()
        try lifecycle.configure(&config)
        let sources = Set((1...12).map(Self.id))
        var blocks = (Int64(0)..<12).map { Self.slot(Int($0) + 1, $0) }
        let lastKept = Self.t0 + 24 * Self.hour + lifecycle.keptFor
        var sawResolutions: Set<Resolution> = []
        var now = Self.t0 + 24 * Self.hour
        while now <= Self.t0 + 400 * Self.day {
            blocks.removeAll { $0.deletionMark != nil }
            let planner = Planner(config: config, now: now)
            let steps = Self.pass(planner, blocks, bound: 100)
            var manifest = BucketManifest(writtenAt: Date(unixMilliseconds: now), blocks: blocks)
            let ulids = ULIDGenerator()
            for step in steps {
                DryRun.simulate(step, on: &manifest, now: now, ulid: ulids.next(milliseconds: UInt64(now)))
            }
            blocks = manifest.blocks
            try #require(steps.count < 100, "\(lifecycle.name): the pass at +\((now - Self.t0) / Self.hour)h does not end")
            #expect(planner.next(blocks) == nil, "a pass leaves nothing to do")

            let live = blocks.filter { $0.deletionMark == nil }
            sawResolutions.formUnion(live.compactMap { Resolution(block: $0.meta) })
            if now < Self.t0 + 2 * Self.hour + lifecycle.keptFor {
                let held = Set(live.flatMap(\.meta.compaction.sources))
                #expect(held.isSuperset(of: sources), "\(lifecycle.name) at +\((now - Self.t0) / Self.day)d: sources lost")
                // The live ranges together cover the day.
                var covered = Self.t0
                for b in live.sorted(by: { $0.meta.minTime < $1.meta.minTime }) where b.meta.minTime <= covered {
                    covered = max(covered, b.meta.maxTime)
                }
                #expect(covered >= Self.t0 + 24 * Self.hour, "\(lifecycle.name) at +\((now - Self.t0) / Self.day)d: only up to \(covered)")
                if covered < Self.t0 + 24 * Self.hour { return }
            } else if now >= lastKept {
                #expect(live.isEmpty, "\(lifecycle.name) at +\((now - Self.t0) / Self.day)d: \(live.map(\.meta.ulid))")
                if !live.isEmpty { return }
            }
            now += 6 * Self.hour
        }
        if config.downsampling.enabled {
            #expect(sawResolutions == Set(Resolution.allCases), "\(lifecycle.name): \(sawResolutions)")
        } else {
            #expect(sawResolutions == [.raw])
        }
    }

    // MARK: - Metas without sources

    /// Prometheus writes `sources` with `omitempty`; a meta with a `compaction`
    /// section but no `sources` decodes to an empty list. An empty set is a subset of
    /// every set, so taken literally such a block would look "replaced" by any block
    /// whose range holds it (its data lost) and "rolled up" without any rollup. It
    /// counts as its own source, as a meta without `compaction` does.
    @Test func aBlockWhoseMetaListsNoSourcesIsItsOwnSource() throws {
        let foreign = Self.id(7)
        let json = #"{"ulid":"\#(foreign)","minTime":\#(Self.t0),"maxTime":\#(Self.t0 + 2 * Self.hour),"#
            + #""compaction":{"level":1},"version":1}"#
        let meta = try BlockMeta.decode(Array(json.utf8))
        let imported = BucketManifest.Block(meta: meta)
        let ours = Self.slot(8, 0)

        let step = Self.planner(now: Self.t0 + 3 * Self.hour).next([imported, ours])
        #expect(step?.action == .mergeOverlapping, "got: \(String(describing: step))")
        #expect(Self.inputs(step) == [foreign, Self.id(8)])

        let old = Self.planner(now: Self.t0 + 3 * Self.day).next([imported])
        #expect(old?.action == .downsample(to: .oneMinute), "got: \(String(describing: old))")
    }

    @Test func stepsDescribeThemselves() {
        let step = PlanStep(.mergeLevel(range: 8 * Self.hour), inputs: [Self.slot(1, 0).meta, Self.slot(2, 1).meta], resolution: .raw)
        #expect(step.description.hasPrefix("merge into 8h (raw): \(Self.id(1)) \(Self.id(2))"), "\(step)")
        #expect(step.description.contains("2 block(s), 200 samples"), "\(step)")
    }
}
