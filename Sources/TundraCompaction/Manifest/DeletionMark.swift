import Foundation
import TundraBlock

/// `<ULID>/deletion-mark.json`, in the shape Thanos writes (`pkg/block/metadata/markers.go`):
/// the block is going away, readers stop using it, and its files are deleted after a
/// delay so that queries already reading it finish.
///
/// ```json
/// {"deletion_time":1700000000,"id":"01HF7YAT00VJ7Q4M1W4Z5X9G3C","version":1}
/// ```
public struct DeletionMark: Sendable, Equatable, Codable {
    public static let fileName = "deletion-mark.json"
    /// Thanos' `DeletionMarkVersion1`.
    public static let formatVersion = 1

    /// The block marked.
    public var id: ULID
    /// Unix seconds when the block was marked.
    public var deletionTime: Int64
    public var version: Int

    enum CodingKeys: String, CodingKey {
        case id, version
        case deletionTime = "deletion_time"
    }

    public init(id: ULID, deletionTime: Date) {
        self.id = id
        self.deletionTime = Int64(deletionTime.timeIntervalSince1970.rounded(.down))
        version = Self.formatVersion
    }

    /// `<ULID>/deletion-mark.json`.
    public static func key(for block: ULID) -> String { block.description + "/" + fileName }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Parses a mark and checks its version; fields Thanos may add (`details`) are ignored.
    public static func decode(_ bytes: [UInt8], key: String) throws(ManifestError) -> DeletionMark {
        let mark: DeletionMark
        do {
            mark = try JSONDecoder().decode(DeletionMark.self, from: Data(bytes))
        } catch {
            throw .corrupt(key: key, reason: "\(error)")
        }
        guard mark.version == formatVersion else {
            throw .unsupportedVersion(key: key, found: mark.version, supported: formatVersion)
        }
        return mark
    }
}
