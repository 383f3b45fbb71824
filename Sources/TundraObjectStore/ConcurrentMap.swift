/// `transform` over `items` with at most `concurrency` calls running at once; results
/// in the order of `items`. Bounded so that a bucket of thousands of blocks does not
/// open thousands of connections to a small S3 gateway.
public func concurrentMap<T: Sendable, R: Sendable>(
    _ items: [T], concurrency: Int, _ transform: @escaping @Sendable (T) async throws -> R
) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        func startNext() {
            guard next < items.count else { return }
            let i = next
            group.addTask { (i, try await transform(items[i])) }
            next += 1
        }
        for _ in 0..<max(1, concurrency) { startNext() }
        while let (i, r) = try await group.next() {
            results[i] = r
            startNext()
        }
        return results.compactMap { $0 }
    }
}
