import Foundation
import Logging
import TundraObjectStore

/// One pass of `tundra-compactor` as the command runs it: take the bucket lock (or
/// wait for it), run the pass while renewing the lease, release, write the metrics
/// file whatever happened, and say how it ended.
public enum CompactorRun {
    public enum Outcome: Sendable {
        /// The pass ran; see its failures.
        case finished(PassReport)
        /// Another compactor holds the bucket.
        case lockHeld(String)
        /// The pass stopped: the bucket unreachable, the lease lost, the disk full.
        case failed(String, PassReport?)

        /// 0 the bucket is in its target state, 1 the pass failed, 2 the lock is held.
        public var exitCode: Int32 {
            switch self {
            case .finished(let report): report.succeeded ? 0 : 1
            case .lockHeld: 2
            case .failed: 1
            }
        }
    }

    /// `waitForLock`: how long to wait for another compactor's lock; nil gives up at once.
    public static func pass(
        store base: any ObjectStore, config: CompactorConfig, waitForLock: Duration?, lockOptions: BucketLockOptions = BucketLockOptions(),
        clock: WallClock = .system, logger: Logger, progress: PassProgress
    ) async -> Outcome {
        let store = CountingObjectStore(base)
        let lock = BucketLock(store: store, options: lockOptions, clock: clock, logger: logger)
        let outcome: Outcome
        do {
            var report = try await lock.withLock(waitingUpTo: waitForLock) {
                let pass = CompactorPass(store: store, config: config, clock: clock, logger: logger, progress: progress, checkLock: { try lock.checkHeld() })
                return try await pass.run()
            }
            // Every request of the run, the lock's own (take, renewals, release) too.
            report.requests = store.counts
            outcome = .finished(report)
        } catch let error as BucketLockError {
            switch error {
            case .held, .timedOut: outcome = .lockHeld(error.description)
            default: outcome = .failed(error.description, nil)
            }
        } catch {
            outcome = .failed("\(error)", nil)
        }
        report(outcome, progress: progress, requests: store.counts)
        if let path = config.metricsFile {
            do {
                try CompactorMetricsFile.write(outcome.report, failure: outcome.failure, to: path, now: clock.now())
            } catch {
                logger.error("cannot write the metrics file", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        return outcome
    }

    private static func report(_ outcome: Outcome, progress: PassProgress, requests: RequestCounts) {
        switch outcome {
        case .finished(let r):
            progress.line(
                "pass \(r.succeeded ? "done" : "FAILED") in \(CompactorPass.seconds(r.duration)): \(r.steps.count) steps, "
                    + "blocks written \(r.blocksWritten.values.reduce(0, +)), compacted \(r.blocksCompacted), marked \(r.blocksMarked), "
                    + "deleted \(r.blocksDeleted.count), partial uploads removed \(r.partialUploadsRemoved.count), quarantined \(r.quarantined.count); "
                    + "\(r.samplesProcessed) samples, \(r.bytesRead) bytes read, \(r.bytesWritten) bytes written, peak RSS \(r.peakResidentBytes >> 20) MiB; "
                    + "requests: \(r.requests)")
            for f in r.failures { progress.line("failure: \(f)") }
            if r.quarantinedTotal > 0 { progress.line("\(r.quarantinedTotal) block(s) in \(Quarantine.prefix) wait for an operator (docs/operations.md)") }
        case .lockHeld(let message):
            progress.line("not run: \(message)")
        case .failed(let message, _):
            progress.line("pass FAILED: \(message); requests: \(requests)")
        }
    }
}

extension CompactorRun.Outcome {
    var report: PassReport? {
        switch self {
        case .finished(let r): r
        case .failed(_, let r): r
        case .lockHeld: nil
        }
    }

    var failure: PassFailure? {
        switch self {
        case .finished: nil
        case .lockHeld(let m): PassFailure(.lock, m)
        case .failed(let m, _): PassFailure(.other, m)
        }
    }
}
