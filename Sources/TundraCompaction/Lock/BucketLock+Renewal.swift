import Foundation
import Logging
import Synchronization
import TundraObjectStore

extension BucketLock {
    /// Extends the lease if the lock is still ours: read, check the owner, overwrite.
    ///
    /// A rival may only take the lock over once the lease has expired by its clock. We
    /// never renew a lease that has expired by ours, and we check again once the write is
    /// done: a write that landed after expiry may have replaced a rival's lock, so the
    /// lease counts as lost (the rival finds out on its own next read and stops too).
    @discardableResult
    public func renew() async throws -> LockRecord {
        let mine = try heldRecord()
        guard clock.now() < mine.leaseExpires else {
            throw lose("lease expired at \(mine.leaseExpires.formatted(.iso8601)) before it was renewed")
        }
        let found: LockRecord?
        do {
            found = try await read()?.record
        } catch let error as BucketLockError {
            throw lose("replaced by an object this build cannot read (\(error))")
        }
        guard let current = found else { throw lose("the lock object was deleted") }
        guard current.owner == owner else { throw lose("now held by \(current)") }
        var next = mine
        let now = clock.now()
        next.renewedMs = now.unixMilliseconds
        next.leaseExpiresMs = (now + options.lease.timeInterval).unixMilliseconds
        try await store.put(key, bytes: try next.encoded())
        guard clock.now() < mine.leaseExpires else {
            throw lose("the renewal was written after the lease had expired")
        }
        state.withLock { $0 = .held(next) }
        return next
    }

    /// Throws ``BucketLockError/leaseLost(key:reason:)`` unless we hold a live lease. For
    /// a holder to call before each step that cannot be taken back.
    public func checkHeld() throws {
        let mine = try heldRecord()
        guard clock.now() < mine.leaseExpires else {
            throw lose("lease expired at \(mine.leaseExpires.formatted(.iso8601)) without renewal")
        }
    }

    /// Deletes the lock object if it is still ours and its lease has not run out (after
    /// that a rival may already have replaced it). Forgets the lock either way.
    public func release() async throws {
        let mine = state.withLock { state -> LockRecord? in
            defer { state = .idle }
            if case .held(let r) = state { return r }
            return nil
        }
        guard let mine, clock.now() < mine.leaseExpires else { return }
        guard try await read()?.record.owner == owner else { return }
        try await store.delete(key)
        logger.info("released bucket lock", metadata: ["lock.key": "\(key)", "lock.owner": "\(owner)"])
    }

    /// Runs `body` holding the lock: takes it (waiting up to `wait` if given), renews it
    /// every `renewInterval` while `body` runs, and releases it afterwards. If the lease
    /// is lost, `body` is cancelled and the ``BucketLockError/leaseLost(key:reason:)``
    /// is thrown once it returns.
    public func withLock<R: Sendable>(
        waitingUpTo wait: Duration? = nil, _ body: @escaping @Sendable () async throws -> R
    ) async throws -> R {
        if let wait { try await acquire(waitingUpTo: wait) } else { try await acquire() }
        do {
            let result = try await withThrowingTaskGroup(of: Outcome<R>.self) { group in
                group.addTask {
                    try await self.keepRenewing()
                    return .renewalEnded
                }
                group.addTask { .finished(try await body()) }
                defer { group.cancelAll() }
                while let outcome = try await group.next() {
                    if case .finished(let r) = outcome { return r }
                }
                throw BucketLockError.notHeld(key: key)
            }
            try await release()
            return result
        } catch {
            try? await release()
            throw error
        }
    }

    /// Renews until cancelled. A failed renewal is tried again sooner, as long as the
    /// lease outlasts the next try; a lost lease ends the loop with the error.
    func keepRenewing() async throws {
        var delay = options.renewInterval
        while true {
            try await clock.sleep(delay)
            do {
                try await renew()
                delay = options.renewInterval
            } catch let error as BucketLockError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                delay = options.renewInterval / 4
                let mine = try heldRecord()
                guard clock.now() + delay.timeInterval < mine.leaseExpires else {
                    throw lose("renewal failed and the lease runs out before another try: \(error)")
                }
                logger.info("bucket lock renewal failed, trying again", metadata: ["lock.key": "\(key)", "error": "\(error)"])
            }
        }
    }

    private enum Outcome<R: Sendable>: Sendable {
        case finished(R)
        case renewalEnded
    }

    private func heldRecord() throws(BucketLockError) -> LockRecord {
        let state = state.withLock { $0 }
        switch state {
        case .held(let r): return r
        case .lost(let reason): throw .leaseLost(key: key, reason: reason)
        case .idle: throw .notHeld(key: key)
        }
    }

    private func lose(_ reason: String) -> BucketLockError {
        state.withLock { $0 = .lost(reason) }
        logger.info("bucket lock lost", metadata: ["lock.key": "\(key)", "lock.reason": "\(reason)"])
        return .leaseLost(key: key, reason: reason)
    }
}
