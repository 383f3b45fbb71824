import Synchronization
import TundraObjectStore

/// An ``ObjectStore`` that forwards every call to another and counts them by kind, so a
/// compaction pass can report the requests it cost ("S3 requests per pass by kind").
///
/// ```swift
/// let store = CountingObjectStore(base)
/// let manifest = try await BucketManifest.build(from: store)
/// logger.info("manifest built", metadata: ["requests": "\(store.counts)"])
/// ```
///
/// A call counts once whether it succeeds or fails (a failed request is billed too).
/// It counts calls, not HTTP attempts: retries and the parts of a multipart upload are
/// in `S3Store.requestCount`.
public final class CountingObjectStore: ObjectStore {
    public let base: any ObjectStore
    private let tally = Mutex(RequestCounts())

    public init(_ base: any ObjectStore) { self.base = base }

    /// What has been counted so far.
    public var counts: RequestCounts { tally.withLock { $0 } }

    /// Returns the counts and starts again from zero: one call per pass.
    @discardableResult
    public func reset() -> RequestCounts {
        tally.withLock { counts in
            defer { counts = RequestCounts() }
            return counts
        }
    }

    private func count(_ kind: RequestKind) { tally.withLock { $0[kind] += 1 } }

    public func put(_ key: String, bytes: [UInt8], ifNoneMatch: Bool) async throws {
        count(.put)
        try await base.put(key, bytes: bytes, ifNoneMatch: ifNoneMatch)
    }

    public func putFile(_ key: String, path: String) async throws {
        count(.put)
        try await base.putFile(key, path: path)
    }

    public func get(_ key: String) async throws -> [UInt8] {
        count(.get)
        return try await base.get(key)
    }

    public func get(_ key: String, range: Range<Int64>) async throws -> [UInt8] {
        count(.get)
        return try await base.get(key, range: range)
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        count(.head)
        return try await base.head(key)
    }

    /// One count per call: a listing of many pages is several requests on S3, which
    /// `S3Store.requestCount` sees.
    public func list(prefix: String, delimiter: String?) async throws -> ObjectListing {
        count(.list)
        return try await base.list(prefix: prefix, delimiter: delimiter)
    }

    public func delete(_ key: String) async throws {
        count(.delete)
        try await base.delete(key)
    }
}
