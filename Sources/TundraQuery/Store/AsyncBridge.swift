import Dispatch
import Synchronization

/// Runs async object-store work to completion from a synchronous caller.
///
/// The store reader is called synchronously (``Querier`` and `BlockFileSource` are
/// synchronous) from the query threads, while object stores are async. The bridge starts
/// a `Task` and parks the calling thread on a semaphore until the task finishes.
///
/// It must not be called from a thread of Swift's cooperative pool (an `async` context,
/// or anything it calls synchronously): the parked thread would be one the task itself
/// may need, and with one pool thread per core a few parked callers deadlock the
/// process. Query threads are dedicated threads, so they may block.
enum AsyncBridge {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Result<T, any Error>
            do {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            outcome.value.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.value.withLock({ $0 }) else {
            // The task always stores its outcome before signalling.
            throw StoreError(block: nil, file: nil, message: "object store call finished without a result")
        }
        return try result.get()
    }
}

/// Where the task leaves its result for the parked thread.
private final class Outcome<T: Sendable>: Sendable {
    let value = Mutex<Result<T, any Error>?>(nil)
}
