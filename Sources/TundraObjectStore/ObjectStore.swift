import Foundation

/// A bucket of immutable objects addressed by key: a local folder or an S3 bucket.
///
/// Keys are `/`-separated paths such as `01HV.../chunks/000001`. Every method is safe to call
/// from many tasks at once; none blocks a thread of the cooperative pool.
///
/// ```swift
/// let store = try makeObjectStore(config, dataDir: "./data", logger: logger)
/// try await store.put("block/meta.json", bytes: meta, ifNoneMatch: true)
/// let head = try await store.get("block/index", range: 0..<64)
/// ```
public protocol ObjectStore: Sendable {
    /// Writes the whole object in one request. With `ifNoneMatch`, the write only happens
    /// if no object has the key (S3 `If-None-Match: *`); otherwise it throws
    /// ``ObjectStoreError/preconditionFailed(key:)``.
    func put(_ key: String, bytes: [UInt8], ifNoneMatch: Bool) async throws

    /// Uploads a local file; past the configured part size it goes as a multipart upload,
    /// which is aborted if any part fails for good.
    func putFile(_ key: String, path: String) async throws

    /// The whole object; ``ObjectStoreError/notFound(key:)`` when absent.
    func get(_ key: String) async throws -> [UInt8]

    /// The bytes in `range` (clipped at the end of the object). A range that starts at or
    /// past the end throws ``ObjectStoreError/rangeNotSatisfiable(key:range:)``.
    func get(_ key: String, range: Range<Int64>) async throws -> [UInt8]

    /// Size, ETag and modification time, or nil when there is no such object.
    func head(_ key: String) async throws -> ObjectInfo?

    /// Every object whose key starts with `prefix`, in byte order of the keys. With a
    /// delimiter, keys that hold it after the prefix are rolled up into common prefixes.
    /// All pages are fetched.
    func list(prefix: String, delimiter: String?) async throws -> ObjectListing

    /// Removes the object; removing an absent key is not an error.
    func delete(_ key: String) async throws
}

extension ObjectStore {
    public func put(_ key: String, bytes: [UInt8]) async throws {
        try await put(key, bytes: bytes, ifNoneMatch: false)
    }

    public func list(prefix: String) async throws -> ObjectListing {
        try await list(prefix: prefix, delimiter: nil)
    }
}

/// What a HEAD or a listing says about one object.
public struct ObjectInfo: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var size: Int64
    /// Opaque; S3 gives the quoted MD5 or multipart hash, the filesystem a stamp of
    /// modification time and size. Quotes are stripped.
    public var etag: String
    public var lastModified: Date

    public init(key: String, size: Int64, etag: String, lastModified: Date) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }

    public var description: String { "\(key) (\(size) bytes, etag \(etag))" }
}

/// The result of ``ObjectStore/list(prefix:delimiter:)``: objects and common prefixes,
/// each in byte order.
public struct ObjectListing: Sendable, Equatable {
    public var objects: [ObjectInfo]
    /// Each ends with the delimiter, as S3 reports them.
    public var commonPrefixes: [String]

    public init(objects: [ObjectInfo] = [], commonPrefixes: [String] = []) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
    }

    public var keys: [String] { objects.map(\.key) }
}
