import Foundation

/// The compactor's time source: wall-clock time (compared with times other machines
/// wrote into the bucket) and sleeping. Injected so that tests can move time forward
/// instead of waiting for a lease to run out.
public struct WallClock: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    public static let system = WallClock(now: { Date() }, sleep: { try await Task.sleep(for: $0) })

    /// This clock, `offset` ahead: how another machine with a later clock sees time.
    public func shifted(by offset: Duration) -> WallClock {
        let now = self.now
        return WallClock(now: { now() + offset.timeInterval }, sleep: sleep)
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

extension Date {
    /// Unix milliseconds, the unit of every time in the bucket's JSON objects.
    var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    init(unixMilliseconds ms: Int64) { self.init(timeIntervalSince1970: Double(ms) / 1000) }
}
