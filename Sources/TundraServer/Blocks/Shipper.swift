import Foundation
import Logging
import TundraCompaction
import TundraBlock
import TundraObjectStore

/// Uploads local blocks to the bucket, and removes local copies some time after.
///
/// Each block goes up data first (`chunks/*`, then `index`) and `meta.json` last: a
/// block without its `meta.json` is partial, and readers ignore it. What was
/// uploaded is recorded in `shipped.json` beside the blocks, so a restart neither
/// loses nor uploads a block again; a block whose upload was cut short by a crash is
/// uploaded again whole, unless its `meta.json` is already in the bucket with the
/// same size, in which case the upload had finished and only the record was missing.
public actor Shipper {
    public let store: any ObjectStore
    /// The local blocks folder.
    public let directory: String
    /// How long a local copy stays after its upload is confirmed (ms); nil keeps it.
    public let localRetentionMs: Int64?
    private let logger: Logger
    private var record: ShippedRecord

    public init(store: any ObjectStore, directory: String, localRetentionMs: Int64?, logger: Logger) async throws {
        self.store = store
        self.directory = directory
        self.localRetentionMs = localRetentionMs
        self.logger = logger
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        record = try await ShippedRecord.load(directory: directory)
    }

    /// Blocks uploaded so far, with when.
    public var shipped: [ULID: Date] { record.uploaded }

    /// Uploads every local block not uploaded yet, oldest first; returns those
    /// uploaded now. Stops at the first failure (the rest wait for the next call).
    @discardableResult
    public func shipPending() async throws -> [BlockMeta] {
        var done: [BlockMeta] = []
        for ulid in try BlockDirectory.blocks(in: directory) where record.uploaded[ulid] == nil {
            done.append(try await upload(ulid))
        }
        return done
    }

    private func upload(_ ulid: ULID) async throws -> BlockMeta {
        let local = directory + "/" + ulid.description
        let metaPath = local + "/" + BlockMeta.fileName
        let metaBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: metaPath)))
        let meta = try BlockMeta.decode(metaBytes, file: metaPath)
        let started = ContinuousClock.now
        if let there = try await store.head(ulid.description + "/" + BlockMeta.fileName), there.size == Int64(metaBytes.count) {
            logger.info("block already in the bucket; recording it as shipped", metadata: ["block": "\(ulid)"])
        } else {
            let bytes = try await BlockUpload.upload(store, localDirectory: local, ulid: ulid)
            logger.info(
                "block uploaded",
                metadata: ["block": "\(ulid)", "bytes": "\(bytes)", "took": "\(ContinuousClock.now - started)"])
        }
        record.uploaded[ulid] = Date()
        try await record.save(directory: directory)
        return meta
    }

    /// Removes local copies uploaded more than the retention ago; returns them.
    @discardableResult
    public func removeExpiredLocalCopies(now: Date = Date()) async throws -> [ULID] {
        guard let keep = localRetentionMs else { return [] }
        var removed: [ULID] = []
        var forget: [ULID] = []
        for (ulid, at) in record.uploaded where now.timeIntervalSince(at) * 1000 >= Double(keep) {
            let path = directory + "/" + ulid.description
            if FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
                removed.append(ulid)
            }
            forget.append(ulid)
        }
        // Forget blocks whose local copy is gone: nothing is left to upload again.
        for ulid in forget { record.uploaded[ulid] = nil }
        if !forget.isEmpty { try await record.save(directory: directory) }
        return removed
    }
}
