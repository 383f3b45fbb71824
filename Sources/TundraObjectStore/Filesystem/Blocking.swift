import Dispatch

/// Runs blocking file I/O on a Dispatch thread, so that the cooperative pool (a thread per
/// core) never stalls on a disk.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}
