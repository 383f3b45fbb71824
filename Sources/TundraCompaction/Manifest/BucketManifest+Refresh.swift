import Foundation
import TundraBlock
import TundraObjectStore

extension BucketManifest {
    /// Like ``build(from:writtenAt:concurrency:)``, but takes the blocks `previous`
    /// already knew as they were: metas never change, and deletion marks are written
    /// only by the compactor holding the lock, which writes a new manifest after. So a
    /// pass costs one LIST and two GETs per block that is new since the last pass, not
    /// two GETs per block of the bucket.
    ///
    /// Trust in `previous` needs the last pass to have finished; after a pass that was
    /// cut off, build the manifest afresh. Prefixes `previous` found empty are not
    /// looked into again: ULIDs are not reused.
    public static func refresh(
        _ previous: BucketManifest, from store: any ObjectStore, writtenAt: Date = Date(), concurrency: Int = defaultConcurrency
    ) async throws -> BucketManifest {
        let root = try await store.list(prefix: "", delimiter: "/")
        let ids = root.commonPrefixes.compactMap { try? ULID(parsing: String($0.dropLast())) }
        var known: [ULID: Block] = [:]
        for block in previous.blocks { known[block.meta.ulid] = block }
        let wasEmpty = Set(previous.emptyPrefixes)
        let fresh = ids.filter { known[$0] == nil && !wasEmpty.contains($0) }
        let entries = try await concurrentMap(fresh, concurrency: concurrency) { id in try await entry(id, in: store) }
        return assemble(
            zip(fresh, entries), known: ids.compactMap { known[$0] }, knownEmpty: ids.filter { wasEmpty.contains($0) }, writtenAt: writtenAt)
    }
}
