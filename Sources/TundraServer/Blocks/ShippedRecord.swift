import Foundation
import TundraBlock
import TundraObjectStore

/// `shipped.json` in the local blocks folder: which blocks are in the bucket, and
/// since when (documented in docs/format/block.md).
///
/// ```json
/// {"version": 1, "uploaded": {"01JD...": 1764086400000}}
/// ```
struct ShippedRecord: Sendable {
    static let fileName = "shipped.json"
    static let version = 1

    var uploaded: [ULID: Date] = [:]

    private struct File: Codable {
        var version: Int
        /// ULID -> upload time, Unix milliseconds.
        var uploaded: [String: Int64]
    }

    /// Reads the record; a missing file is an empty record.
    static func load(directory: String) async throws -> ShippedRecord {
        let store = try FilesystemStore(directory: directory)
        let bytes: [UInt8]
        do {
            bytes = try await store.get(fileName)
        } catch ObjectStoreError.notFound {
            return ShippedRecord()
        }
        let path = directory + "/" + fileName
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(bytes))
        } catch {
            throw ServerError("\(path) is not a valid record of shipped blocks: \(error)")
        }
        guard file.version == version else {
            throw ServerError("\(path) has version \(file.version); this Tundra reads version \(version)")
        }
        var out = ShippedRecord()
        for (id, ms) in file.uploaded {
            let ulid: ULID
            do {
                ulid = try ULID(parsing: id)
            } catch {
                throw ServerError("\(path): \(error)")
            }
            out.uploaded[ulid] = Date(timeIntervalSince1970: Double(ms) / 1000)
        }
        return out
    }

    /// Replaces the file atomically (temporary file, fsync, rename).
    func save(directory: String) async throws {
        let file = File(
            version: Self.version,
            uploaded: Dictionary(uniqueKeysWithValues: uploaded.map { ($0.key.description, Int64($0.value.timeIntervalSince1970 * 1000)) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try await FilesystemStore(directory: directory).put(Self.fileName, bytes: [UInt8](try encoder.encode(file)))
    }
}
