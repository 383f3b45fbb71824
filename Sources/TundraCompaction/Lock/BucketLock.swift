import Foundation
import Logging
import Synchronization
import TundraObjectStore

/// Makes one compactor at a time work on a bucket: a small lock object created with a
/// conditional write, leased for a short time and renewed while the holder works.
///
/// ```swift
/// let lock = BucketLock(store: store, logger: logger)
/// try await lock.withLock(waitingUpTo: .seconds(600)) {
///     try await compactOnce()
/// }
/// ```
///
/// Taking the lock: a conditional create (`If-None-Match: *`). If the object exists and
/// its lease has run out, or its holder ran on this host and its process is gone, the
/// lock is taken over: deleted and created again, then read back after a short pause
/// to confirm no rival taking over the same lock won instead. Otherwise
/// ``BucketLockError/held(key:holder:now:)`` names the holder.
///
/// Object stores offer no conditional overwrite or delete that works everywhere, so a
/// takeover and a renewal are read-check-write sequences. Two holders at once need a
/// rival to act on an expired lease inside one of those windows; each window is bounded
/// below, and whoever then finds the object not theirs stops with
/// ``BucketLockError/leaseLost(key:reason:)``. The lock saves duplicate work; what keeps
/// the bucket consistent even then is the upload protocol (new blocks under new ULIDs,
/// `meta.json` last, deletion marked before it happens).
///
/// Clocks of the machines running compactors must agree to well within
/// `lease - renewInterval`: a lease is judged by the reader's clock.
public final class BucketLock: Sendable {
    public let store: any ObjectStore
    public let options: BucketLockOptions
    /// This lock's owner id, written into the object.
    public let owner: String
    public let process: ProcessIdentity
    let clock: WallClock
    let logger: Logger
    let state = Mutex(State.idle)

    enum State {
        case idle
        case held(LockRecord)
        case lost(String)
    }

    /// Rounds of create-or-take-over before giving up with `contended`: each lost round
    /// means the lock changed hands, which should not happen more than once or twice.
    static let maxAttempts = 4

    public init(
        store: any ObjectStore, options: BucketLockOptions = BucketLockOptions(), owner: String = UUID().uuidString,
        process: ProcessIdentity = .current, clock: WallClock = .system, logger: Logger
    ) {
        self.store = store
        self.options = options
        self.owner = owner
        self.process = process
        self.clock = clock
        self.logger = logger
    }

    public var key: String { options.key }

    /// The record we last wrote, while we hold the lock.
    public var record: LockRecord? {
        state.withLock { if case .held(let r) = $0 { r } else { nil } }
    }

    /// Takes the lock or throws ``BucketLockError/held(key:holder:now:)`` at once.
    @discardableResult
    public func acquire() async throws -> LockRecord {
        for _ in 0..<Self.maxAttempts {
            let mine = freshRecord()
            do {
                try await store.put(key, bytes: try mine.encoded(), ifNoneMatch: true)
                return hold(mine, event: "took bucket lock")
            } catch ObjectStoreError.preconditionFailed {}
            // Gone again between our create and this read (released): another round.
            guard let found = try await read() else { continue }
            let existing = found.record
            let now = clock.now()
            if existing.owner == owner {
                // Ours from an earlier acquire of this same object: refresh the lease.
                try await store.put(key, bytes: try mine.encoded())
                return hold(mine, event: "took bucket lock again")
            }
            guard let reason = takeoverReason(existing, now: now) else {
                throw BucketLockError.held(key: key, holder: existing, now: now)
            }
            if let won = try await takeOver(existing, bytes: found.bytes, reason: reason) { return won }
        }
        throw BucketLockError.contended(key: key, attempts: Self.maxAttempts)
    }

    /// Takes the lock, polling every `pollInterval` while another compactor holds it;
    /// ``BucketLockError/timedOut(key:waited:holder:now:)`` after `timeout`.
    @discardableResult
    public func acquire(waitingUpTo timeout: Duration) async throws -> LockRecord {
        let deadline = clock.now() + timeout.timeInterval
        while true {
            do {
                return try await acquire()
            } catch BucketLockError.held(_, let holder, let now) {
                guard now + options.pollInterval.timeInterval <= deadline else {
                    throw BucketLockError.timedOut(key: key, waited: timeout, holder: holder, now: now)
                }
                logger.info("bucket lock held, waiting", metadata: ["lock.holder": "\(holder)", "lock.expires": "\(holder.leaseExpires)"])
                try await clock.sleep(options.pollInterval)
            }
        }
    }

    /// Why `existing` may be taken over now, or nil when its holder still has it.
    func takeoverReason(_ existing: LockRecord, now: Date) -> String? {
        if now >= existing.leaseExpires {
            return "lease expired at \(existing.leaseExpires.formatted(.iso8601))"
        }
        if existing.hostname == process.hostname && !ProcessIdentity.isRunning(existing.pid) {
            return "process \(existing.pid) on this host is not running"
        }
        return nil
    }

    /// Replaces `stale` with our record; nil when a rival got there first.
    private func takeOver(_ stale: LockRecord, bytes: [UInt8], reason: String) async throws -> LockRecord? {
        // Read again right before deleting: two takers that judged the same object stale
        // could otherwise both delete, the second one removing the first one's new lock.
        // With the check, that needs the rival's new lock to land inside our GET-DELETE
        // round trip.
        do {
            guard try await store.get(key) == bytes else { return nil }
            try await store.delete(key)
        } catch ObjectStoreError.notFound {}
        let mine = freshRecord()
        do {
            try await store.put(key, bytes: try mine.encoded(), ifNoneMatch: true)
        } catch ObjectStoreError.preconditionFailed {
            return nil
        }
        // A rival still between its GET and its DELETE would remove our lock now; wait
        // out that gap, then look. A rival slower than this is caught by a renewal,
        // which reads before it writes.
        try await clock.sleep(options.takeoverSettle)
        guard let found = try await read(), found.record.owner == owner, found.record.acquiredMs == mine.acquiredMs else { return nil }
        logger.info(
            "took over bucket lock",
            metadata: ["lock.key": "\(key)", "lock.previous": "\(stale)", "lock.reason": "\(reason)"])
        return hold(mine, event: nil)
    }

    func freshRecord() -> LockRecord {
        let now = clock.now()
        return LockRecord(
            owner: owner, hostname: process.hostname, pid: process.pid, acquired: now, leaseExpires: now + options.lease.timeInterval)
    }

    private func hold(_ record: LockRecord, event: String?) -> LockRecord {
        state.withLock { $0 = .held(record) }
        if let event {
            logger.info("\(event)", metadata: ["lock.key": "\(key)", "lock.owner": "\(owner)", "lock.expires": "\(record.leaseExpires)"])
        }
        return record
    }

    /// The lock object and its bytes, or nil when there is none.
    func read() async throws -> (record: LockRecord, bytes: [UInt8])? {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(key)
        } catch ObjectStoreError.notFound {
            return nil
        }
        return (try LockRecord.decode(bytes, key: key), bytes)
    }
}
