import Foundation
import Testing
import TundraCompaction
import TundraObjectStore

/// The bucket lock's behaviour, run against each store. Every check uses its own lock
/// key, so they can share one bucket.
enum LockCheck: String, CaseIterable {
    case secondTakerFailsNamingTheHolder
    case expiredLeaseIsTakenOver
    case deadProcessOnThisHostIsTakenOverAtOnce
    case liveProcessOrOtherHostIsNotTakenOver
    case renewalKeepsTheLock
    case deletedLockIsDetectedAsLost
    case replacedLockIsDetectedAsLost
    case concurrentTakersLeaveOneWinner
    case concurrentTakeoversLeaveOneWinner
    case waitModeTakesTheLockWhenTheLeaseRunsOut
    case waitModeTimesOutNamingTheHolder
    case releaseDeletesOnlyOurLock
    case unknownVersionIsRefused

    func run(_ store: any ObjectStore) async throws {
        let key = "locks/" + rawValue
        switch self {
        case .secondTakerFailsNamingTheHolder: try await secondTakerFails(store, key)
        case .expiredLeaseIsTakenOver: try await expiredLease(store, key)
        case .deadProcessOnThisHostIsTakenOverAtOnce: try await deadProcess(store, key)
        case .liveProcessOrOtherHostIsNotTakenOver: try await liveProcessOrOtherHost(store, key)
        case .renewalKeepsTheLock: try await renewal(store, key)
        case .deletedLockIsDetectedAsLost: try await lost(store, key, replace: false)
        case .replacedLockIsDetectedAsLost: try await lost(store, key, replace: true)
        case .concurrentTakersLeaveOneWinner: try await concurrentTakers(store, key)
        case .concurrentTakeoversLeaveOneWinner: try await concurrentTakeovers(store, key)
        case .waitModeTakesTheLockWhenTheLeaseRunsOut: try await waitMode(store, key)
        case .waitModeTimesOutNamingTheHolder: try await waitTimeout(store, key)
        case .releaseDeletesOnlyOurLock: try await release(store, key)
        case .unknownVersionIsRefused: try await unknownVersion(store, key)
        }
    }

    static func options(_ key: String, lease: Duration = .seconds(120)) -> BucketLockOptions {
        var o = BucketLockOptions(lease: lease)
        o.key = key
        o.pollInterval = .milliseconds(100)
        o.takeoverSettle = .milliseconds(100)
        return o
    }

    static func lock(
        _ store: any ObjectStore, _ key: String, lease: Duration = .seconds(120), clock: WallClock = .system,
        process: ProcessIdentity = .current
    ) -> BucketLock {
        BucketLock(store: store, options: options(key, lease: lease), process: process, clock: clock, logger: TestStores.logger)
    }

    static func stored(_ store: any ObjectStore, _ key: String) async throws -> [String: Any]? {
        guard let bytes = try? await store.get(key) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    }

    private func secondTakerFails(_ store: any ObjectStore, _ key: String) async throws {
        let first = Self.lock(store, key)
        let record = try await first.acquire()
        #expect(record.owner == first.owner)
        let stored = try await Self.stored(store, key)
        #expect(stored?["owner"] as? String == first.owner)
        #expect(stored?["version"] as? Int == 1)
        #expect(stored?["pid"] as? Int == Int(getpid()))

        let second = Self.lock(store, key)
        do {
            try await second.acquire()
            Issue.record("a second compactor took a held lock")
        } catch let error as BucketLockError {
            guard case .held(_, let holder, _) = error else { throw error }
            #expect(holder.owner == first.owner)
            let text = error.description
            for part in [first.owner, first.process.hostname, "pid \(getpid())", "lease expires at", key] {
                #expect(text.contains(part), "\(text) lacks \(part)")
            }
        }
        #expect(second.record == nil)
        try await first.release()
    }

    private func expiredLease(_ store: any ObjectStore, _ key: String) async throws {
        let first = Self.lock(store, key)
        try await first.acquire()
        // A compactor whose clock is past the lease: as if the first stopped renewing.
        let later = Self.lock(store, key, clock: WallClock.system.shifted(by: .seconds(121)))
        let taken = try await later.acquire()
        #expect(try await Self.stored(store, key)?["owner"] as? String == later.owner)
        #expect(taken.owner == later.owner)
        // The first finds out on its next renewal, and cannot get it back.
        await #expect(throws: BucketLockError.self) { try await first.renew() }
        #expect(throws: BucketLockError.self) { try first.checkHeld() }
        try await first.release()
        #expect(try await Self.stored(store, key)?["owner"] as? String == later.owner, "a lost lock released someone else's")
        try await later.release()
        #expect(try await store.head(key) == nil)
    }

    private func deadProcess(_ store: any ObjectStore, _ key: String) async throws {
        let dead = try Self.exitedPID()
        let ghost = Self.lock(store, key, process: ProcessIdentity(hostname: ProcessIdentity.current.hostname, pid: dead))
        try await ghost.acquire()
        let next = Self.lock(store, key)
        let start = ContinuousClock.now
        try await next.acquire()
        // At once: no waiting for the two-minute lease.
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(try await Self.stored(store, key)?["owner"] as? String == next.owner)
        try await next.release()
    }

    private func liveProcessOrOtherHost(_ store: any ObjectStore, _ key: String) async throws {
        // Same host, live process (ours): held.
        let live = Self.lock(store, key)
        try await live.acquire()
        await #expect(throws: BucketLockError.self) { try await Self.lock(store, key).acquire() }
        try await live.release()
        // A dead pid on another host proves nothing: that pid may run there.
        let remote = Self.lock(store, key, process: ProcessIdentity(hostname: "elsewhere.example", pid: try Self.exitedPID()))
        try await remote.acquire()
        await #expect(throws: BucketLockError.self) { try await Self.lock(store, key).acquire() }
        try await store.delete(key)
    }

    private func renewal(_ store: any ObjectStore, _ key: String) async throws {
        let holder = Self.lock(store, key, lease: .seconds(1))
        let rivalErrors = try await holder.withLock { () async throws -> [String] in
            var errors: [String] = []
            // Three leases long: without renewal a rival would get in.
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(500))
                do {
                    try await Self.lock(store, key, lease: .seconds(1)).acquire()
                } catch let error as BucketLockError {
                    errors.append(error.description)
                }
                try holder.checkHeld()
            }
            return errors
        }
        #expect(rivalErrors.count == 6, "\(rivalErrors)")
        #expect(try await store.head(key) == nil, "released when the work was done")
    }

    private func lost(_ store: any ObjectStore, _ key: String, replace: Bool) async throws {
        let holder = Self.lock(store, key, lease: .seconds(3))
        let start = ContinuousClock.now
        do {
            try await holder.withLock {
                try await Task.sleep(for: .milliseconds(200))
                if replace {
                    let rival = Self.lock(store, key)
                    // Written over ours, as a takeover that raced a renewal could.
                    try await store.put(key, bytes: Array("{\"version\":1,\"owner\":\"\(rival.owner)\",\"hostname\":\"h2\",\"pid\":7,\"acquired_ms\":0,\"renewed_ms\":0,\"lease_expires_ms\":99999999999999}".utf8))
                } else {
                    try await store.delete(key)
                }
                try await Task.sleep(for: .seconds(60))
            }
            Issue.record("the work went on after the lock was lost")
        } catch let error as BucketLockError {
            guard case .leaseLost(_, let reason) = error else { throw error }
            #expect(reason.contains(replace ? "h2" : "deleted"), "\(reason)")
        }
        #expect(ContinuousClock.now - start < .seconds(10), "stopped within a renewal interval")
        if replace {
            #expect(try await Self.stored(store, key)?["hostname"] as? String == "h2", "a lost lock released someone else's")
            try await store.delete(key)
        }
    }

    private func concurrentTakers(_ store: any ObjectStore, _ key: String) async throws {
        let locks = (0..<8).map { _ in Self.lock(store, key) }
        let winners = try await Self.race(locks)
        #expect(winners.count == 1, "\(winners)")
        #expect(try await Self.stored(store, key)?["owner"] as? String == winners.first)
        try await store.delete(key)
    }

    private func concurrentTakeovers(_ store: any ObjectStore, _ key: String) async throws {
        try await Self.lock(store, key).acquire()
        let later = WallClock.system.shifted(by: .seconds(300))
        let locks = (0..<8).map { _ in Self.lock(store, key, clock: later) }
        let winners = try await Self.race(locks)
        #expect(winners.count == 1, "\(winners)")
        #expect(try await Self.stored(store, key)?["owner"] as? String == winners.first)
        try await store.delete(key)
    }

    /// Owners of the locks whose acquire succeeded; any other error than a lost race fails.
    static func race(_ locks: [BucketLock]) async throws -> [String] {
        try await withThrowingTaskGroup(of: String?.self) { group in
            for lock in locks {
                group.addTask {
                    do {
                        return try await lock.acquire().owner
                    } catch let error as BucketLockError {
                        switch error {
                        case .held, .contended: return nil
                        default: throw error
                        }
                    }
                }
            }
            var winners: [String] = []
            for try await owner in group { if let owner { winners.append(owner) } }
            return winners
        }
    }

    private func waitMode(_ store: any ObjectStore, _ key: String) async throws {
        // Held, then abandoned: no renewal, so the lease ends after a second.
        try await Self.lock(store, key, lease: .seconds(1)).acquire()
        let waiter = Self.lock(store, key)
        let start = ContinuousClock.now
        try await waiter.acquire(waitingUpTo: .seconds(20))
        #expect(ContinuousClock.now - start >= .milliseconds(500))
        #expect(try await Self.stored(store, key)?["owner"] as? String == waiter.owner)
        try await waiter.release()
    }

    private func waitTimeout(_ store: any ObjectStore, _ key: String) async throws {
        let holder = Self.lock(store, key)
        try await holder.acquire()
        do {
            try await Self.lock(store, key).acquire(waitingUpTo: .milliseconds(400))
            Issue.record("took a held lock")
        } catch let error as BucketLockError {
            guard case .timedOut(_, _, let holderSeen, _) = error else { throw error }
            #expect(holderSeen.owner == holder.owner)
            #expect(error.description.contains(holder.owner) && error.description.contains("gave up waiting"), "\(error)")
        }
        try await holder.release()
    }

    private func release(_ store: any ObjectStore, _ key: String) async throws {
        let lock = Self.lock(store, key)
        try await lock.acquire()
        try await lock.release()
        #expect(try await store.head(key) == nil)
        // Released twice, or never held: nothing to do, and nobody else's lock removed.
        try await lock.release()
        let other = Self.lock(store, key)
        try await other.acquire()
        try await lock.release()
        #expect(try await Self.stored(store, key)?["owner"] as? String == other.owner)
        try await other.release()
    }

    private func unknownVersion(_ store: any ObjectStore, _ key: String) async throws {
        try await store.put(key, bytes: Array("{\"version\":2,\"owner\":\"future\"}".utf8))
        do {
            try await Self.lock(store, key).acquire()
            Issue.record("took a lock of an unknown version")
        } catch let error as BucketLockError {
            guard case .unreadable(_, let reason) = error else { throw error }
            #expect(reason.contains("version 2"), "\(reason)")
        }
        #expect(try await Self.stored(store, key)?["owner"] as? String == "future", "left alone")
        try await store.delete(key)
    }

    /// The id of a process that has exited and been reaped, so nothing runs under it.
    static func exitedPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }
}
