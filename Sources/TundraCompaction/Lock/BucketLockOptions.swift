/// How the bucket lock is named, leased and waited for.
public struct BucketLockOptions: Sendable {
    public static let defaultKey = "compactor.lock"

    /// The lock object's key at the bucket root.
    public var key = BucketLockOptions.defaultKey
    /// How long a lock stays valid without renewal. Short, so that a compactor killed
    /// without cleanup blocks the next run for minutes, not hours.
    public var lease: Duration
    /// How often the holder extends its lease. A third of the lease leaves two more
    /// chances after a failed renewal before the lease runs out.
    public var renewInterval: Duration
    /// How often a waiting compactor tries again.
    public var pollInterval: Duration = .seconds(10)
    /// How long a takeover waits before reading the lock back to confirm it won: longer
    /// than the gap between the read and the delete of a rival taking over the same lock.
    public var takeoverSettle: Duration = .seconds(2)

    public init(lease: Duration = .seconds(120)) {
        self.lease = lease
        renewInterval = lease / 3
    }
}
