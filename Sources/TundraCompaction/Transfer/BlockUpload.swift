import Foundation
import TundraBlock
import TundraObjectStore

/// Uploads one local block folder: chunk segments first, then the index, and
/// `meta.json` last, so that the block exists for readers only once it is whole.
public enum BlockUpload {
    /// Returns the bytes uploaded.
    @discardableResult
    public static func upload(_ store: any ObjectStore, localDirectory local: String, ulid: ULID) async throws -> Int64 {
        let prefix = ulid.description + "/"
        let metaPath = local + "/" + BlockMeta.fileName
        let metaBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: metaPath)))
        var bytes = Int64(metaBytes.count)
        for file in try dataFiles(local) {
            try await store.putFile(prefix + file, path: local + "/" + file)
            bytes += Int64((try? FileManager.default.attributesOfItem(atPath: local + "/" + file)[.size] as? Int) ?? 0)
        }
        try await store.put(prefix + BlockMeta.fileName, bytes: metaBytes)
        return bytes
    }

    /// Removes everything under the block's prefix: what an interrupted upload left, or
    /// a block whose deletion is due. meta.json goes first so that no reader takes the
    /// rest for a block, the deletion mark last so that a deletion cut off half way is
    /// still recognised as one.
    public static func removePartial(_ store: any ObjectStore, ulid: ULID) async throws {
        let prefix = ulid.description + "/"
        let mark = prefix + "deletion-mark.json"
        try await store.delete(prefix + BlockMeta.fileName)
        let objects = try await store.list(prefix: prefix).objects
        for object in objects where object.key != mark { try await store.delete(object.key) }
        if objects.contains(where: { $0.key == mark }) { try await store.delete(mark) }
    }

    /// The block's files other than meta.json: chunk segments first, then the rest.
    static func dataFiles(_ local: String) throws -> [String] {
        let chunks = try FileManager.default.contentsOfDirectory(atPath: local + "/chunks").sorted().map { "chunks/" + $0 }
        let rest = try FileManager.default.contentsOfDirectory(atPath: local).filter {
            $0 != BlockMeta.fileName && $0 != "chunks"
        }.sorted()
        return chunks + rest
    }
}
