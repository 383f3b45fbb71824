import Foundation
import Logging
import TundraBlock
import TundraModel
import TundraObjectStore

extension CompactorPass {
    /// Removes block folders without `meta.json`: a deletion cut off half way, an upload
    /// of the last pass that the journal names, or an upload untouched for
    /// `compactor.partial_upload_age` (a shipper may still be uploading a younger one).
    func removePartialUploads(ownInterrupted: Set<ULID>) async throws {
        let now = nowMs
        var kept: [BucketManifest.PartialUpload] = []
        for partial in manifest.partialUploads {
            let why: String
            if partial.deletionMarked {
                why = "deletion cut off"
            } else if ownInterrupted.contains(partial.ulid) {
                why = "upload of an interrupted pass"
            } else if now - partial.lastModifiedMs >= config.partialUploadAgeMs {
                why = "no change for \(DurationText.format(now - partial.lastModifiedMs))"
            } else {
                kept.append(partial)
                continue
            }
            try checkLock()
            try await BlockUpload.removePartial(store, ulid: partial.ulid)
            manifest.emptyPrefixes.append(partial.ulid)
            report.partialUploadsRemoved.append(partial.ulid)
            progress.line("removed partial upload \(partial.ulid) (\(partial.objects) objects, \(partial.size) bytes): \(why)")
        }
        manifest.partialUploads = kept
    }

    /// Deletes the blocks whose deletion mark is at least `compactor.deletion_delay` old.
    func deleteDueBlocks() async throws {
        let now = nowMs
        var kept: [BucketManifest.Block] = []
        for block in manifest.blocks {
            guard let mark = block.deletionMark, now - mark.deletionTime * 1000 >= config.deletionDelayMs else {
                kept.append(block)
                continue
            }
            try checkLock()
            try await BlockUpload.removePartial(store, ulid: block.meta.ulid)
            manifest.emptyPrefixes.append(block.meta.ulid)
            report.blocksDeleted.append(block.meta.ulid)
            progress.line("deleted block \(block.meta.ulid) (marked \(DurationText.format(now - mark.deletionTime * 1000)) ago)")
        }
        manifest.blocks = kept
    }

    /// Moves every block the manifest could not read to `quarantine/`; each one is a
    /// failure of the pass.
    func quarantineUnreadable() async throws {
        for block in manifest.unreadable {
            try checkLock()
            try await quarantine(block.ulid, problem: block.problem)
        }
        manifest.unreadable = []
    }

    func quarantine(_ ulid: ULID, problem: String) async throws {
        let moved = try await Quarantine.move(
            ulid, problem: problem, store: store, workDirectory: config.resolvedWorkDirectory + "/" + Self.stepPrefix + "quarantine", now: clock.now())
        manifest.blocks.removeAll { $0.meta.ulid == ulid }
        manifest.emptyPrefixes.append(ulid)
        report.quarantined.append(ulid)
        report.failures.append(PassFailure(.unreadable, "block \(ulid) cannot be read (\(problem)); moved to \(Quarantine.prefix)\(ulid)/"))
        progress.line("QUARANTINED block \(ulid) (\(moved) objects): \(problem)")
        logger.error("unreadable block moved to quarantine", metadata: ["block": "\(ulid)", "problem": "\(problem)"])
    }
}
