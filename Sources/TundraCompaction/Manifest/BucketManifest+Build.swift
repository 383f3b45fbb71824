import Foundation
import TundraBlock
import TundraObjectStore

extension BucketManifest {
    /// Requests in flight at once: enough to hide S3 latency without a burst of
    /// hundreds of connections against a small gateway.
    public static let defaultConcurrency = 8

    /// Lists the bucket and reads what each block prefix holds.
    ///
    /// Costs one delimited LIST of the root, then per block prefix a GET of `meta.json`
    /// and a GET of `deletion-mark.json` (a GET that finds nothing is still cheaper than
    /// a LIST of the prefix); only prefixes without `meta.json` are LISTed, to tell a
    /// partial upload from an emptied folder (SeaweedFS keeps reporting those).
    /// Prefixes that are not ULIDs and objects at the root (the lock, this manifest)
    /// are not blocks and are skipped.
    public static func build(
        from store: any ObjectStore, writtenAt: Date = Date(), concurrency: Int = defaultConcurrency
    ) async throws -> BucketManifest {
        let root = try await store.list(prefix: "", delimiter: "/")
        let ids = root.commonPrefixes.compactMap { try? ULID(parsing: String($0.dropLast())) }
        let entries = try await concurrentMap(ids, concurrency: concurrency) { id in
            try await entry(id, in: store)
        }
        return assemble(zip(ids, entries), writtenAt: writtenAt)
    }

    /// A manifest of what was read for each prefix, added to what is already known.
    static func assemble(
        _ entries: some Sequence<(ULID, Entry)>, known blocks: [Block] = [], knownEmpty: [ULID] = [], writtenAt: Date
    ) -> BucketManifest {
        var blocks = blocks
        var partial: [PartialUpload] = []
        var unreadable: [Unreadable] = []
        var empty = knownEmpty
        for (id, entry) in entries {
            switch entry {
            case .block(let b): blocks.append(b)
            case .partial(let p): partial.append(p)
            case .unreadable(let u): unreadable.append(u)
            case .absent: empty.append(id)
            }
        }
        return BucketManifest(writtenAt: writtenAt, blocks: blocks, partialUploads: partial, unreadable: unreadable, emptyPrefixes: empty)
    }

    enum Entry: Sendable {
        case block(Block)
        case partial(PartialUpload)
        case unreadable(Unreadable)
        /// Nothing under the prefix (any more).
        case absent
    }

    static func entry(_ id: ULID, in store: any ObjectStore) async throws -> Entry {
        let metaKey = id.description + "/" + BlockMeta.fileName
        guard let metaBytes = try await getIfPresent(metaKey, in: store) else {
            return try await partialUpload(id, in: store)
        }
        let meta: BlockMeta
        do {
            meta = try BlockMeta.decode(metaBytes, file: metaKey)
        } catch {
            return .unreadable(Unreadable(ulid: id, problem: error.description))
        }
        guard meta.ulid == id else {
            return .unreadable(Unreadable(ulid: id, problem: "\(metaKey) names block \(meta.ulid)"))
        }
        let markKey = DeletionMark.key(for: id)
        guard let markBytes = try await getIfPresent(markKey, in: store) else { return .block(Block(meta: meta)) }
        let mark: DeletionMark
        do {
            mark = try DeletionMark.decode(markBytes, key: markKey)
        } catch {
            return .unreadable(Unreadable(ulid: id, problem: error.description))
        }
        guard mark.id == id else {
            return .unreadable(Unreadable(ulid: id, problem: "\(markKey) names block \(mark.id)"))
        }
        return .block(Block(meta: meta, deletionMark: mark))
    }

    private static func partialUpload(_ id: ULID, in store: any ObjectStore) async throws -> Entry {
        let objects = try await store.list(prefix: id.description + "/").objects
        guard let newest = objects.map(\.lastModified).max() else { return .absent }
        let marked = objects.contains { $0.key == DeletionMark.key(for: id) }
        return .partial(
            PartialUpload(ulid: id, objects: objects.count, size: objects.reduce(0) { $0 + $1.size }, lastModified: newest, deletionMarked: marked))
    }

    private static func getIfPresent(_ key: String, in store: any ObjectStore) async throws -> [UInt8]? {
        do {
            return try await store.get(key)
        } catch ObjectStoreError.notFound {
            return nil
        }
    }
}
