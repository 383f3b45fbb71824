import Foundation
import Logging
import NIOPosix
import TundraCompaction
import TundraBlock
import TundraObjectStore

/// Checks the blocks in a bucket end to end: `tundra tools bucket verify`.
///
/// ```swift
/// let verifier = BucketVerifier(store: store, workDirectory: "/data/verify", logger: logger)
/// let report = try await verifier.verifyAll()
/// if !report.ok { ... }
/// ```
///
/// Each block is downloaded whole into `workDirectory` (one block at a time, removed
/// after its check), because every byte of it is read anyway; the folder needs room
/// for the largest block. A range-reading block source could later avoid the copy.
public struct BucketVerifier: Sendable {
    public let store: any ObjectStore
    public let workDirectory: String
    public let logger: Logger
    /// Called with a line per block checked, for the user.
    public let progress: @Sendable (String) -> Void

    public init(
        store: any ObjectStore, workDirectory: String, logger: Logger, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.workDirectory = workDirectory
        self.logger = logger
        self.progress = progress
    }

    /// Every block, partial upload and overlap in the bucket.
    public func verifyAll(now: Date = Date()) async throws -> BucketVerifyReport {
        let inventory = try await BucketInventory.load(from: store, now: now)
        var results: [BlockVerification] = []
        for u in inventory.unreadable {
            results.append(BlockVerification(ulid: u.ulid, problems: [BlockProblem(.meta, u.problem, file: BlockMeta.fileName)], counted: nil))
        }
        for (i, block) in inventory.blocks.enumerated() {
            progress("checking block \(i + 1)/\(inventory.blocks.count) \(block.ulid)")
            results.append(try await verify(block))
        }
        results.sort { $0.ulid < $1.ulid }
        return BucketVerifyReport(blocks: results, partialUploads: inventory.partialUploads, overlaps: BlockOverlap.find(in: inventory.blocks))
    }

    /// One block prefix. Overlaps need the other blocks, so they are left out; a
    /// prefix without meta.json is reported as a partial upload.
    public func verify(_ ulid: ULID, now: Date = Date()) async throws -> BucketVerifyReport {
        switch try await BucketInventory.entry(ulid, in: store, now: now) {
        case .block(let block):
            return BucketVerifyReport(blocks: [try await verify(block)], partialUploads: [], overlaps: [])
        case .unreadable(let u):
            let problem = BlockProblem(.meta, u.problem, file: BlockMeta.fileName)
            return BucketVerifyReport(blocks: [BlockVerification(ulid: ulid, problems: [problem], counted: nil)], partialUploads: [], overlaps: [])
        case .partial(let p):
            return BucketVerifyReport(blocks: [], partialUploads: [p], overlaps: [])
        case .absent:
            throw ServerError("no block \(ulid) in the bucket")
        }
    }

    /// Downloads and checks one listed block.
    public func verify(_ block: BucketBlock) async throws -> BlockVerification {
        let (dir, createdParent) = try BlockDownload.makeDirectory(under: workDirectory, for: block.ulid)
        defer { BlockDownload.removeDirectory(dir, parent: createdParent ? workDirectory : nil) }
        // The deletion mark is not part of the block's data.
        let files = block.files.filter { $0.path != MarkSeen.fileName }
        do {
            try await BlockDownload.download(store, ulid: block.ulid, files: files.map(\.download), to: dir)
        } catch {
            logger.info("block download failed", metadata: ["block": "\(block.ulid)", "error": "\(error)"])
            return BlockVerification(
                ulid: block.ulid, problems: [BlockProblem(.download, "\(error)")], counted: nil, deletionMarked: block.deletionMark != nil)
        }
        let names = Set(files.map(\.path))
        let ulid = block.ulid
        let (problems, counted) = try await NIOThreadPool.singleton.runIfActive {
            BlockCheck.run(directory: dir, ulid: ulid, files: names)
        }
        return BlockVerification(ulid: ulid, problems: problems, counted: counted, deletionMarked: block.deletionMark != nil)
    }
}
