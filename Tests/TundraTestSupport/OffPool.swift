import Foundation

/// Runs blocking work (a child process, a `curl`) on a Dispatch thread and awaits it.
///
/// The cooperative pool has one thread per core, two here: a test that blocks two of
/// them (several SeaweedFS start-ups polling with `curl` at once) stalls every other
/// test's async work for as long, which made lease-timing tests fail.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}
