import Foundation
import TundraCompaction
import TundraBlock

/// One object under a block's prefix, as the bucket listing reports it.
public struct BucketFile: Sendable, Equatable, Codable {
    /// Relative to the block prefix: `meta.json`, `index`, `chunks/000001`.
    public var path: String
    public var size: Int64
    public var lastModified: Date

    public init(path: String, size: Int64, lastModified: Date) {
        self.path = path
        self.size = size
        self.lastModified = lastModified
    }
}

/// What the bucket tools show of a block's `deletion-mark.json` (format:
/// ``TundraCompaction/DeletionMark``): only the time, and a mark that does not parse
/// still counts as a mark, since the tools report rather than act on it.
public struct MarkSeen: Sendable, Equatable, Codable {
    public static let fileName = DeletionMark.fileName

    /// Unix seconds when the block was marked; nil when the mark could not be read.
    public var deletionTime: Int64?

    enum CodingKeys: String, CodingKey { case deletionTime = "deletion_time" }

    public init(deletionTime: Int64?) { self.deletionTime = deletionTime }

    static func decode(_ bytes: [UInt8]) -> MarkSeen {
        (try? JSONDecoder().decode(MarkSeen.self, from: Data(bytes))) ?? MarkSeen(deletionTime: nil)
    }
}

/// A complete block in the bucket: its meta.json and the objects under its prefix.
public struct BucketBlock: Sendable, Equatable, Codable {
    public var meta: BlockMeta
    public var files: [BucketFile]
    public var deletionMark: MarkSeen?
    /// Bytes of every object under the prefix, from the listing.
    public var size: Int64

    public init(meta: BlockMeta, files: [BucketFile], deletionMark: MarkSeen? = nil) {
        self.meta = meta
        self.files = files
        self.deletionMark = deletionMark
        size = files.reduce(0) { $0 + $1.size }
    }

    public var ulid: ULID { meta.ulid }
    /// Milliseconds per sample window; 0 (raw) for blocks written by Prometheus.
    public var resolution: Int64 { meta.tundra?.resolution ?? TundraBlockInfo.rawResolution }
}

/// A block prefix whose meta.json exists but cannot be read: readers skip such a block
/// as they would a partial upload, so it is a problem, not a block.
public struct UnreadableBlock: Sendable, Equatable, Codable {
    public var ulid: ULID
    public var files: [BucketFile]
    public var problem: String
    public var size: Int64

    public init(ulid: ULID, files: [BucketFile], problem: String) {
        self.ulid = ulid
        self.files = files
        self.problem = problem
        size = files.reduce(0) { $0 + $1.size }
    }
}

/// A block prefix without meta.json: an upload that was interrupted or is still in
/// progress. Readers ignore it; the compactor removes it after a delay.
public struct PartialUpload: Sendable, Equatable, Codable {
    /// The prefix without its trailing `/`, normally a ULID.
    public var prefix: String
    public var objects: Int
    public var size: Int64
    /// When the newest object under the prefix was written.
    public var lastModified: Date
    /// Seconds from `lastModified` to when the bucket was listed: an upload in
    /// progress is young, a leftover old.
    public var ageSeconds: Int64

    public init(prefix: String, files: [BucketFile], now: Date) {
        self.prefix = prefix
        objects = files.count
        size = files.reduce(0) { $0 + $1.size }
        lastModified = files.map(\.lastModified).max() ?? now
        ageSeconds = Int64(max(0, now.timeIntervalSince(lastModified)).rounded(.down))
    }
}

extension BucketFile {
    var download: BlockDownload.File { BlockDownload.File(path: path, size: size) }
}
