import Foundation
import TundraBlock
import TundraObjectStore

/// `compactor-journal.json`: what the running pass is doing, so that the next pass
/// knows how the last one ended. Written at the start of a pass, before each upload,
/// and at the end.
///
/// ```json
/// {"in_progress":true,"started_ms":1764000000000,"uploading":["01JD..."],"version":1}
/// ```
///
/// A pass that finds `in_progress` was cut off: it lists the whole bucket instead of
/// trusting the manifest, and removes at once the blocks in `uploading` that have no
/// `meta.json` (its own interrupted uploads), rather than waiting
/// `compactor.partial_upload_age` as for uploads of unknown origin.
public struct PassJournal: Sendable, Equatable, Codable {
    public static let key = "compactor-journal.json"
    public static let formatVersion = 1

    public var version = PassJournal.formatVersion
    public var inProgress: Bool
    public var startedMs: Int64
    public var uploading: [ULID]

    enum CodingKeys: String, CodingKey {
        case version, uploading
        case inProgress = "in_progress"
        case startedMs = "started_ms"
    }

    public init(inProgress: Bool, startedMs: Int64, uploading: [ULID] = []) {
        self.inProgress = inProgress
        self.startedMs = startedMs
        self.uploading = uploading
    }

    /// The journal in the bucket; nil when there is none (a first pass).
    public static func read(from store: any ObjectStore) async throws -> PassJournal? {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(key)
        } catch ObjectStoreError.notFound {
            return nil
        }
        do {
            let journal = try JSONDecoder().decode(PassJournal.self, from: Data(bytes))
            guard journal.version == formatVersion else {
                throw ManifestError.unsupportedVersion(key: key, found: journal.version, supported: formatVersion)
            }
            return journal
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError.corrupt(key: key, reason: "\(error)")
        }
    }

    public func write(to store: any ObjectStore) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await store.put(Self.key, bytes: Array(try encoder.encode(self)) + [0x0A])
    }
}
