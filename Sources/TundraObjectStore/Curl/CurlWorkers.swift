import Foundation

/// Threads that run blocking `curl_easy_perform` calls, each with its own reusable
/// ``CurlEasy`` (and so its own kept-alive connection). At most `limit` requests run at
/// once; the rest wait in FIFO order. Threads start on demand and stop at ``shutdown()``.
///
/// Blocking calls must stay off Swift's cooperative pool, which has one thread per core:
/// a few slow S3 requests would otherwise stall every task in the process.
final class CurlWorkers: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`.
    private let condition = NSCondition()
    /// Taken jobs leave a nil behind at once: a job holds its request, body included,
    /// and a slot kept until the array is compacted would keep an uploaded part alive.
    private var queue: [(@Sendable (CurlEasy?) -> Void)?] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private var stopping = false
    private let limit: Int
    private let name: String

    init(limit: Int, name: String) {
        self.limit = limit
        self.name = name
    }

    /// Runs `request` on a worker thread and returns its outcome.
    func perform(_ request: HTTPRequest, options: TransportOptions) async -> Result<HTTPResponse, ObjectStoreError> {
        await withCheckedContinuation { continuation in
            enqueue { easy in
                guard let easy else {
                    continuation.resume(returning: .failure(.transport(curlCode: 2, message: "curl_easy_init failed", url: request.url)))
                    return
                }
                continuation.resume(returning: easy.perform(request, options: options))
            }
        }
    }

    private func enqueue(_ job: @escaping @Sendable (CurlEasy?) -> Void) {
        condition.lock()
        if stopping {
            condition.unlock()
            job(nil)
            return
        }
        queue.append(job)
        if idle == 0 && threads < limit {
            threads += 1
            let thread = Thread { [self] in self.loop() }
            thread.name = name
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        let easy = CurlEasy()
        condition.lock()
        while true {
            while head == queue.count && !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if head == queue.count {
                threads -= 1
                condition.unlock()
                return
            }
            let job = queue[head]
            queue[head] = nil
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 64 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job?(easy)
            condition.lock()
        }
    }

    /// Lets queued requests finish, then ends the threads.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }
}
