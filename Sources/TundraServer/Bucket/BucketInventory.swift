import Foundation
import TundraBlock
import TundraObjectStore

/// What the bucket holds: complete blocks (with their meta.json), prefixes whose
/// meta.json does not parse, and partial uploads.
///
/// ```swift
/// let inventory = try await BucketInventory.load(from: store)
/// for block in inventory.blocks { print(block.ulid, block.meta.stats.numSamples, block.size) }
/// ```
///
/// Costs one delimited LIST of the bucket root, then per block prefix one LIST (for
/// file sizes and deletion marks) and one GET of meta.json. Prefixes that are not
/// ULIDs (other tools' data) and objects at the root are not blocks and are skipped.
public struct BucketInventory: Sendable, Equatable, Codable {
    /// Sorted by minTime, then ULID.
    public var blocks: [BucketBlock]
    public var unreadable: [UnreadableBlock]
    public var partialUploads: [PartialUpload]

    /// Requests in flight at once: enough to hide S3 latency without a burst of
    /// hundreds of connections against a small gateway.
    public static let defaultConcurrency = 8

    public init(blocks: [BucketBlock] = [], unreadable: [UnreadableBlock] = [], partialUploads: [PartialUpload] = []) {
        self.blocks = blocks.sorted { ($0.meta.minTime, $0.ulid) < ($1.meta.minTime, $1.ulid) }
        self.unreadable = unreadable.sorted { $0.ulid < $1.ulid }
        self.partialUploads = partialUploads.sorted { ByteOrder.precedes($0.prefix, $1.prefix) }
    }

    /// What one block prefix turned out to be.
    public enum Entry: Sendable, Equatable {
        case block(BucketBlock)
        case unreadable(UnreadableBlock)
        case partial(PartialUpload)
        /// Nothing under the prefix.
        case absent
    }

    /// Lists the whole bucket. `now` dates the age of partial uploads.
    public static func load(
        from store: any ObjectStore, now: Date = Date(), concurrency: Int = defaultConcurrency
    ) async throws -> BucketInventory {
        let root = try await store.list(prefix: "", delimiter: "/")
        let ids = root.commonPrefixes.compactMap { try? ULID(parsing: String($0.dropLast())) }
        let entries = try await concurrentMap(ids, concurrency: concurrency) { id in
            try await entry(id, in: store, now: now)
        }
        var blocks: [BucketBlock] = []
        var unreadable: [UnreadableBlock] = []
        var partial: [PartialUpload] = []
        for entry in entries {
            switch entry {
            case .block(let b): blocks.append(b)
            case .unreadable(let u): unreadable.append(u)
            case .partial(let p): partial.append(p)
            case .absent: break
            }
        }
        return BucketInventory(blocks: blocks, unreadable: unreadable, partialUploads: partial)
    }

    /// Looks at one block prefix only.
    public static func entry(_ id: ULID, in store: any ObjectStore, now: Date = Date()) async throws -> Entry {
        let prefix = id.description + "/"
        let files = try await store.list(prefix: prefix).objects.map {
            BucketFile(path: String($0.key.dropFirst(prefix.count)), size: $0.size, lastModified: $0.lastModified)
        }
        if files.isEmpty { return .absent }
        guard files.contains(where: { $0.path == BlockMeta.fileName }) else {
            return .partial(PartialUpload(prefix: id.description, files: files, now: now))
        }
        let meta: BlockMeta
        do {
            meta = try BlockMeta.decode(try await store.get(prefix + BlockMeta.fileName), file: prefix + BlockMeta.fileName)
        } catch let error as BlockError {
            return .unreadable(UnreadableBlock(ulid: id, files: files, problem: error.description))
        } catch ObjectStoreError.notFound {
            // Removed between the LIST and the GET: a deletion in progress.
            return .absent
        }
        if meta.ulid != id {
            return .unreadable(UnreadableBlock(ulid: id, files: files, problem: "meta.json names block \(meta.ulid), not \(id)"))
        }
        var mark: MarkSeen?
        if files.contains(where: { $0.path == MarkSeen.fileName }) {
            mark = MarkSeen.decode((try? await store.get(prefix + MarkSeen.fileName)) ?? [])
        }
        return .block(BucketBlock(meta: meta, files: files, deletionMark: mark))
    }
}
