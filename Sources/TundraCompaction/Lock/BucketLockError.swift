import Foundation

/// Why the bucket lock could not be taken or kept. Each `description` is a complete
/// log line for the operator.
public enum BucketLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another compactor holds a live lease. `now` is when we looked.
    case held(key: String, holder: LockRecord, now: Date)
    /// Waiting for the lock took longer than allowed; `holder` is the last one seen.
    case timedOut(key: String, waited: Duration, holder: LockRecord, now: Date)
    /// The lock kept changing hands while we tried to take it.
    case contended(key: String, attempts: Int)
    /// We held the lock and no longer do: deleted, taken over, or not renewed in time.
    /// Whoever holds a lost lock must stop writing to the bucket.
    case leaseLost(key: String, reason: String)
    /// ``BucketLock/renew()`` or ``BucketLock/checkHeld()`` without a successful acquire.
    case notHeld(key: String)
    /// The lock object is not one this build understands; it is left alone.
    case unreadable(key: String, reason: String)

    public var description: String {
        switch self {
        case .held(let key, let holder, let now):
            return "bucket lock \(key) is held by \(Self.holderText(holder, now: now))"
        case .timedOut(let key, let waited, let holder, let now):
            return "gave up waiting for bucket lock \(key) after \(waited): held by \(Self.holderText(holder, now: now))"
        case .contended(let key, let attempts):
            return "bucket lock \(key) changed hands during each of \(attempts) attempts to take it"
        case .leaseLost(let key, let reason):
            return "bucket lock \(key) lost: \(reason); stopping"
        case .notHeld(let key):
            return "bucket lock \(key) is not held by this compactor"
        case .unreadable(let key, let reason):
            return "bucket lock \(key) cannot be read: \(reason); remove it by hand if no compactor is running"
        }
    }

    static func holderText(_ holder: LockRecord, now: Date) -> String {
        let left = Int64(holder.leaseExpires.timeIntervalSince(now).rounded(.up))
        return "\(holder), taken at \(holder.acquired.formatted(.iso8601)); its lease expires at "
            + "\(holder.leaseExpires.formatted(.iso8601)) (in \(max(0, left)) s)"
    }
}
