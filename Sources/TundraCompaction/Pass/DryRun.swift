import Foundation
import TundraBlock
import TundraModel
import TundraObjectStore

/// `tundra-compactor --dry-run`: the plan of a pass, from the bucket as it is, with
/// nothing written. Steps are simulated on the manifest (a merge gives a block with
/// its inputs' range, sources and sample counts), so the plan shows what later steps
/// would do with the blocks earlier ones make.
public enum DryRun {
    public static func plan(store: any ObjectStore, config: CompactorConfig, clock: WallClock = .system) async throws -> [String] {
        let now = clock.now().unixMilliseconds
        var manifest: BucketManifest
        do {
            manifest = try await BucketManifest.refresh(try BucketManifest.read(from: store), from: store, writtenAt: clock.now())
        } catch is ManifestError {
            manifest = try await BucketManifest.build(from: store, writtenAt: clock.now())
        }
        let journal = try await PassJournal.read(from: store)
        var lines: [String] = []
        for p in manifest.partialUploads {
            let own = journal?.uploading.contains(p.ulid) ?? false
            if p.deletionMarked || own || now - p.lastModifiedMs >= config.partialUploadAgeMs {
                lines.append("remove partial upload \(p.ulid): \(p.objects) objects, \(p.size) bytes")
            }
        }
        for u in manifest.unreadable { lines.append("quarantine unreadable block \(u.ulid): \(u.problem)") }
        let due = { (manifest: BucketManifest) -> [BucketManifest.Block] in
            manifest.blocks.filter { b in b.deletionMark.map { now - $0.deletionTime * 1000 >= config.deletionDelayMs } ?? false }
        }
        let dueNow = Set(due(manifest).map(\.meta.ulid))
        for b in manifest.blocks where dueNow.contains(b.meta.ulid) {
            lines.append("delete block \(b.meta.ulid) (\(b.meta.stats.numSamples) samples): deletion mark is old enough")
        }
        manifest.blocks.removeAll { dueNow.contains($0.meta.ulid) }

        let planner = Planner(config: config, now: now)
        let ulids = ULIDGenerator()
        // A step per input block at most, so a bug in the simulation cannot loop.
        var budget = manifest.blocks.count * 4 + 16
        while let step = planner.next(manifest.blocks), budget > 0 {
            budget -= 1
            lines.append(step.description)
            simulate(step, on: &manifest, now: now, ulid: ulids.next(milliseconds: UInt64(max(0, now))))
        }
        if config.deletionDelayMs == 0 {
            for b in due(manifest) { lines.append("delete block \(b.meta.ulid): marked in this pass, deletion_delay is 0") }
        }
        return lines
    }

    static func simulate(_ step: PlanStep, on manifest: inout BucketManifest, now: Int64, ulid: ULID) {
        func mark(_ id: ULID) {
            if let i = manifest.blocks.firstIndex(where: { $0.meta.ulid == id }) {
                manifest.blocks[i].deletionMark = DeletionMark(id: id, deletionTime: Date(unixMilliseconds: now))
            }
        }
        var resolution = step.resolution
        switch step.action {
        case .markForDeletion:
            step.inputs.forEach { mark($0.ulid) }
            return
        case .rewrite:
            // What it drops is known only from the index; the block stays as it is.
            if let id = step.inputs.first?.ulid, let i = manifest.blocks.firstIndex(where: { $0.meta.ulid == id }) {
                manifest.blocks[i].retentionCheckedMs = now
            }
            return
        case .downsample(let to):
            resolution = to
        case .mergeLevel, .mergeOverlapping:
            step.inputs.forEach { mark($0.ulid) }
        }
        let stats = BlockStats(
            numSamples: step.inputs.reduce(0) { $0 + $1.stats.numSamples }, numSeries: step.inputs.map(\.stats.numSeries).max() ?? 0,
            numChunks: step.inputs.reduce(0) { $0 + $1.stats.numChunks })
        let meta = BlockMeta(
            ulid: ulid, minTime: step.minTime, maxTime: step.maxTime, stats: stats,
            compaction: BlockCompaction(
                level: (step.inputs.map(\.compaction.level).max() ?? 1) + (step.inputs.count > 1 ? 1 : 0),
                sources: Array(Set(step.inputs.flatMap(\.sourceSet))).sorted()),
            tundra: TundraBlockInfo(resolution: resolution.rawValue, source: .compactor))
        manifest.blocks.append(BucketManifest.Block(meta: meta))
    }
}
