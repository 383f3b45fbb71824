import Foundation
import TundraBlock
import TundraObjectStore

/// One object that lists every block of the bucket with its meta and deletion mark, so
/// that readers GET it instead of LISTing the bucket (S3 bills requests, and a LIST
/// costs about twelve GETs). Format: docs/format/manifest.md.
///
/// ```swift
/// let manifest = try await BucketManifest.build(from: store)     // compactor
/// try await manifest.write(to: store)
/// let seen = try await BucketManifest.read(from: store)          // readers
/// for block in seen.liveBlocks { ... }
/// ```
public struct BucketManifest: Sendable, Equatable, Codable {
    public static let formatVersion = 1
    public static let defaultKey = "bucket-manifest.json"

    public var version: Int
    /// Unix milliseconds when the bucket was listed.
    public var writtenAtMs: Int64
    /// Complete blocks (`meta.json` present and readable), by minTime, then ULID.
    public var blocks: [Block]
    /// Block prefixes without `meta.json`, by ULID.
    public var partialUploads: [PartialUpload]
    /// Block prefixes whose `meta.json` or deletion mark cannot be read, by ULID. Not
    /// blocks for readers; left for an operator to look at.
    public var unreadable: [Unreadable]
    /// Block prefixes that are listed but hold nothing (stores such as SeaweedFS keep
    /// listing a folder after its last object is deleted), by ULID: not looked into
    /// again by ``refresh(_:from:writtenAt:concurrency:)``. Written only when not empty.
    public var emptyPrefixes: [ULID]

    enum CodingKeys: String, CodingKey {
        case version, blocks, unreadable
        case writtenAtMs = "written_at_ms"
        case partialUploads = "partial_uploads"
        case emptyPrefixes = "empty_prefixes"
    }

    public init(
        writtenAt: Date, blocks: [Block] = [], partialUploads: [PartialUpload] = [], unreadable: [Unreadable] = [], emptyPrefixes: [ULID] = []
    ) {
        version = Self.formatVersion
        writtenAtMs = writtenAt.unixMilliseconds
        self.blocks = blocks.sorted { ($0.meta.minTime, $0.meta.ulid) < ($1.meta.minTime, $1.meta.ulid) }
        self.partialUploads = partialUploads.sorted { $0.ulid < $1.ulid }
        self.unreadable = unreadable.sorted { $0.ulid < $1.ulid }
        self.emptyPrefixes = emptyPrefixes.sorted()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        writtenAtMs = try c.decode(Int64.self, forKey: .writtenAtMs)
        blocks = try c.decode([Block].self, forKey: .blocks)
        partialUploads = try c.decode([PartialUpload].self, forKey: .partialUploads)
        unreadable = try c.decode([Unreadable].self, forKey: .unreadable)
        emptyPrefixes = try c.decodeIfPresent([ULID].self, forKey: .emptyPrefixes) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(writtenAtMs, forKey: .writtenAtMs)
        try c.encode(blocks, forKey: .blocks)
        try c.encode(partialUploads, forKey: .partialUploads)
        try c.encode(unreadable, forKey: .unreadable)
        if !emptyPrefixes.isEmpty { try c.encode(emptyPrefixes, forKey: .emptyPrefixes) }
    }

    public var writtenAt: Date { Date(unixMilliseconds: writtenAtMs) }

    /// Blocks without a deletion mark: the ones a query may use.
    public var liveBlocks: [Block] { blocks.filter { $0.deletionMark == nil } }

    /// A complete block.
    public struct Block: Sendable, Equatable, Codable {
        public var meta: BlockMeta
        public var deletionMark: DeletionMark?
        /// Unix milliseconds when the compactor last applied retention overrides to the
        /// block's series; absent until it first had reason to.
        public var retentionCheckedMs: Int64?

        enum CodingKeys: String, CodingKey {
            case meta
            case deletionMark = "deletion_mark"
            case retentionCheckedMs = "retention_checked_ms"
        }

        public init(meta: BlockMeta, deletionMark: DeletionMark? = nil, retentionCheckedMs: Int64? = nil) {
            self.meta = meta
            self.deletionMark = deletionMark
            self.retentionCheckedMs = retentionCheckedMs
        }
    }

    /// A block prefix holding objects but no `meta.json`: an upload in progress or
    /// interrupted. The compactor removes it once it is old enough.
    public struct PartialUpload: Sendable, Equatable, Codable {
        public var ulid: ULID
        public var objects: Int
        public var size: Int64
        /// Unix milliseconds of the newest object under the prefix.
        public var lastModifiedMs: Int64
        /// A deletion mark is among the objects: a deletion that stopped half way,
        /// which the compactor finishes at once.
        public var deletionMarked: Bool

        enum CodingKeys: String, CodingKey {
            case ulid, objects, size
            case lastModifiedMs = "last_modified_ms"
            case deletionMarked = "deletion_marked"
        }

        public init(ulid: ULID, objects: Int, size: Int64, lastModified: Date, deletionMarked: Bool = false) {
            self.ulid = ulid
            self.objects = objects
            self.size = size
            lastModifiedMs = lastModified.unixMilliseconds
            self.deletionMarked = deletionMarked
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ulid = try c.decode(ULID.self, forKey: .ulid)
            objects = try c.decode(Int.self, forKey: .objects)
            size = try c.decode(Int64.self, forKey: .size)
            lastModifiedMs = try c.decode(Int64.self, forKey: .lastModifiedMs)
            deletionMarked = try c.decodeIfPresent(Bool.self, forKey: .deletionMarked) ?? false
        }

        // `deletion_marked` is written only when true: most partial uploads are
        // uploads, and their entries stay as they were before the field existed.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ulid, forKey: .ulid)
            try c.encode(objects, forKey: .objects)
            try c.encode(size, forKey: .size)
            try c.encode(lastModifiedMs, forKey: .lastModifiedMs)
            if deletionMarked { try c.encode(true, forKey: .deletionMarked) }
        }

        public var lastModified: Date { Date(unixMilliseconds: lastModifiedMs) }
    }

    /// A block prefix whose `meta.json` or `deletion-mark.json` cannot be read.
    public struct Unreadable: Sendable, Equatable, Codable {
        public var ulid: ULID
        public var problem: String

        public init(ulid: ULID, problem: String) {
            self.ulid = ulid
            self.problem = problem
        }
    }
}

extension BucketManifest {
    /// Compact JSON with sorted keys and a final newline: the same bucket gives the same bytes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Parses a manifest. The version is read on its own first, so a manifest of
    /// another version is refused as such, whatever else changed in it.
    public static func decode(_ bytes: [UInt8], key: String = defaultKey) throws(ManifestError) -> BucketManifest {
        struct Versioned: Decodable { var version: Int }
        let data = Data(bytes)
        let version: Int
        do {
            version = try JSONDecoder().decode(Versioned.self, from: data).version
        } catch {
            throw .corrupt(key: key, reason: "no \"version\" number: \(error)")
        }
        guard version == formatVersion else {
            throw .unsupportedVersion(key: key, found: version, supported: formatVersion)
        }
        let manifest: BucketManifest
        do {
            manifest = try JSONDecoder().decode(BucketManifest.self, from: data)
        } catch {
            throw .corrupt(key: key, reason: "\(error)")
        }
        // The metas and marks inside follow their own versions; check them as their
        // readers would, so a manifest never smuggles in a block the reader would refuse.
        for block in manifest.blocks {
            guard block.meta.version == BlockMeta.formatVersion else {
                throw .unsupportedVersion(key: "\(key) block \(block.meta.ulid) meta", found: block.meta.version, supported: BlockMeta.formatVersion)
            }
            if let mark = block.deletionMark, mark.version != DeletionMark.formatVersion {
                throw .unsupportedVersion(key: "\(key) block \(block.meta.ulid) deletion mark", found: mark.version, supported: DeletionMark.formatVersion)
            }
        }
        return manifest
    }

    /// Replaces the manifest in the bucket (one PUT; both stores replace atomically).
    public func write(to store: any ObjectStore, key: String = defaultKey) async throws {
        try await store.put(key, bytes: try encoded())
    }

    /// The manifest in the bucket (one GET); ``ManifestError/notFound(key:)`` if none.
    public static func read(from store: any ObjectStore, key: String = defaultKey) async throws -> BucketManifest {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(key)
        } catch ObjectStoreError.notFound {
            throw ManifestError.notFound(key: key)
        }
        return try decode(bytes, key: key)
    }
}
