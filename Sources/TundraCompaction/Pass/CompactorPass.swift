import Foundation
import Logging
import TundraBlock
import TundraObjectStore

/// One pass of the compactor over the bucket, run while holding the bucket lock:
///
/// 1. read the journal and the last manifest, and list the bucket;
/// 2. remove interrupted uploads (its own at once, others after
///    `compactor.partial_upload_age`) and finish deletions cut off half way;
/// 3. delete blocks whose deletion mark is older than `compactor.deletion_delay`;
/// 4. move unreadable blocks to `quarantine/`;
/// 5. take the planner's steps (``Planner``) one at a time until it has none;
/// 6. delete what step 5 marked if the delay is zero, write the manifest and close the
///    journal.
///
/// Each step uploads its new block (the journal names it first), then marks its
/// inputs for deletion: a pass killed anywhere leaves either the inputs alone, or the
/// new block and the inputs side by side, which the next pass resolves (the planner
/// marks inputs a newer block replaces). A sample is never in no block.
public final class CompactorPass {
    let store: CountingObjectStore
    let config: CompactorConfig
    let clock: WallClock
    let logger: Logger
    let progress: PassProgress
    /// Checked between steps: throws once the bucket lock is lost.
    let checkLock: @Sendable () throws -> Void

    var manifest = BucketManifest(writtenAt: Date(timeIntervalSince1970: 0))
    var journal = PassJournal(inProgress: true, startedMs: 0)
    var report: PassReport
    var planner: Planner

    public init(
        store: any ObjectStore, config: CompactorConfig, clock: WallClock = .system, logger: Logger, progress: PassProgress = .silent,
        checkLock: @escaping @Sendable () throws -> Void = {}
    ) {
        self.store = store as? CountingObjectStore ?? CountingObjectStore(store)
        self.config = config
        self.clock = clock
        self.logger = logger
        self.progress = progress
        self.checkLock = checkLock
        report = PassReport(startedAt: clock.now())
        planner = Planner(config: config, now: clock.now().unixMilliseconds)
    }

    var nowMs: Int64 { clock.now().unixMilliseconds }

    /// Runs the pass. Problems with single blocks are in the report's failures; what
    /// stops the whole pass (the bucket unreachable, the lock lost) is thrown.
    public func run() async throws -> PassReport {
        let started = ContinuousClock.now
        let before = store.counts
        let previous = try await PassJournal.read(from: store)
        let cutOff = previous?.inProgress ?? false
        journal = PassJournal(inProgress: true, startedMs: nowMs)
        try await journal.write(to: store)
        manifest = try await loadManifest(trustPrevious: !cutOff)
        if cutOff { progress.line("the last pass did not finish: listed the whole bucket") }
        progress.line("bucket: \(manifest.blocks.count) blocks, \(manifest.partialUploads.count) partial uploads, \(manifest.unreadable.count) unreadable")

        removeLeftoverWork()
        try await removePartialUploads(ownInterrupted: Set(previous?.uploading ?? []))
        try await deleteDueBlocks()
        try await quarantineUnreadable()
        try await takeSteps()
        if config.deletionDelayMs == 0 { try await deleteDueBlocks() }

        report.quarantinedTotal = try await Quarantine.count(in: store)
        manifest.writtenAtMs = nowMs
        try await manifest.write(to: store)
        journal.inProgress = false
        journal.uploading = []
        try await journal.write(to: store)
        report.requests = store.counts - before
        report.duration = started.duration(to: .now)
        report.peakResidentBytes = Self.peakResidentBytes()
        return report
    }

    /// `VmHWM` of /proc/self/status: unlike `getrusage`'s `ru_maxrss`, which a child
    /// inherits from the parent it was forked from, it starts afresh at exec.
    static func peakResidentBytes() -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int64($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    /// Step folders a killed pass left in the work directory: the lock says no other
    /// pass of this bucket runs, so they belong to no one.
    func removeLeftoverWork() {
        let work = config.resolvedWorkDirectory
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: work) else { return }
        for entry in entries where entry.hasPrefix(Self.stepPrefix) {
            try? FileManager.default.removeItem(atPath: work + "/" + entry)
            progress.line("removed \(entry) left in the work directory by an interrupted pass")
        }
    }

    /// Folders of the work directory that a pass creates and removes.
    static let stepPrefix = "step-"

    func loadManifest(trustPrevious: Bool) async throws -> BucketManifest {
        if trustPrevious {
            do {
                let previous = try await BucketManifest.read(from: store)
                return try await BucketManifest.refresh(previous, from: store, writtenAt: clock.now())
            } catch ManifestError.notFound {
            } catch let error as ManifestError {
                logger.warning("bucket manifest unreadable, listing the whole bucket", metadata: ["error": "\(error)"])
            }
        }
        return try await BucketManifest.build(from: store, writtenAt: clock.now())
    }

    private func takeSteps() async throws {
        while let step = planner.next(manifest.blocks) {
            try checkLock()
            report.steps.append(step)
            progress.line("step \(report.steps.count): \(step)")
            let stepStart = ContinuousClock.now
            do {
                try await execute(step)
                progress.line("step \(report.steps.count) done in \(Self.seconds(stepStart.duration(to: .now)))")
            } catch is StepStopped {
                planner.excluded.formUnion(step.inputs.map(\.ulid))
                progress.line("step \(report.steps.count) stopped: an input went to quarantine")
            } catch let failure as PassFailure {
                report.failures.append(failure)
                planner.excluded.formUnion(step.inputs.map(\.ulid))
                progress.line("step \(report.steps.count) FAILED: \(failure)")
                logger.error("compaction step failed", metadata: ["step": "\(step)", "error": "\(failure)"])
            }
        }
    }

    static func seconds(_ d: Duration) -> String {
        String(format: "%.1fs", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}
