import Foundation
import TundraBlock
import TundraObjectStore

/// Blocks the compactor cannot read, moved aside to `quarantine/<ULID>/` with
/// `quarantine.json` saying why and when: out of every reader's way, never deleted by
/// the compactor, left for an operator (docs/operations.md).
public enum Quarantine {
    public static let prefix = "quarantine/"
    public static let markerName = "quarantine.json"

    public struct Marker: Codable, Sendable, Equatable {
        public var id: ULID
        public var problem: String
        /// Unix seconds.
        public var quarantinedAt: Int64
        public var version = 1

        enum CodingKeys: String, CodingKey {
            case id, problem, version
            case quarantinedAt = "quarantined_at"
        }
    }

    /// Copies the block's objects under `quarantine/<ULID>/`, writes the marker, then
    /// removes the originals. Copies go through a local folder so that a large chunk
    /// segment is never held in memory whole. Returns the objects moved.
    @discardableResult
    public static func move(_ ulid: ULID, problem: String, store: any ObjectStore, workDirectory: String, now: Date) async throws -> Int {
        let source = ulid.description + "/"
        let target = prefix + source
        let objects = try await store.list(prefix: source).objects
        let (dir, createdParent) = try BlockDownload.makeDirectory(under: workDirectory, for: ulid)
        defer { BlockDownload.removeDirectory(dir, parent: createdParent ? workDirectory : nil) }
        let files = objects.map { BlockDownload.File(path: String($0.key.dropFirst(source.count)), size: $0.size) }
        try await BlockDownload.download(store, ulid: ulid, files: files, to: dir)
        for file in files { try await store.putFile(target + file.path, path: dir + "/" + file.path) }
        let marker = Marker(id: ulid, problem: problem, quarantinedAt: Int64(now.timeIntervalSince1970))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await store.put(target + markerName, bytes: Array(try encoder.encode(marker)) + [0x0A])
        try await BlockUpload.removePartial(store, ulid: ulid)
        return objects.count
    }

    /// Blocks in quarantine (one delimited LIST).
    public static func count(in store: any ObjectStore) async throws -> Int {
        try await store.list(prefix: prefix, delimiter: "/").commonPrefixes.count
    }
}
