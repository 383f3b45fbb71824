import Foundation
import NIOPosix
import Synchronization
import TundraBlock
import TundraModel
import TundraObjectStore

extension CompactorPass {
    func execute(_ step: PlanStep) async throws {
        switch step.action {
        case .markForDeletion(let reason):
            for input in step.inputs { try await mark(input.ulid, reason: "\(reason)") }
        case .mergeOverlapping, .mergeLevel:
            try await writeBlock(step, kind: "merge", options: mergeOptions())
        case .downsample(let to):
            var options = mergeOptions()
            options.resolution = to.rawValue
            try await writeBlock(step, kind: "downsample", options: options)
        case .rewrite(let classes):
            var options = mergeOptions()
            let policy = config.retention
            let dropped = Set(classes.map { $0 ?? -1 })
            options.keep = { labels in !dropped.contains(policy.retentionClass(of: labels) ?? -1) }
            try await writeBlock(step, kind: "rewrite", options: options)
        }
    }

    private func mergeOptions() -> MergeOptions {
        var options = MergeOptions()
        options.memoryBudget = config.memoryBudgetBytes
        let progress = self.progress
        let started = ContinuousClock.now
        let last = Mutex(ContinuousClock.now)
        options.progressInterval = 1000
        options.progress = { p in
            // A line every few seconds at most: enough to see a long merge move.
            let now = ContinuousClock.now
            let due = last.withLock { l in
                guard l.duration(to: now) >= .seconds(5) || p.seriesWritten == 0 else { return false }
                l = now
                return true
            }
            guard due else { return }
            progress.line(
                "  \(p.seriesWritten)/\(p.seriesTotal) series, \(p.samplesRead) samples, \(CompactorPass.seconds(started.duration(to: now)))")
        }
        return options
    }

    func mark(_ ulid: ULID, reason: String) async throws {
        let mark = DeletionMark(id: ulid, deletionTime: clock.now())
        try await store.put(DeletionMark.key(for: ulid), bytes: try mark.encoded())
        if let i = manifest.blocks.firstIndex(where: { $0.meta.ulid == ulid }) { manifest.blocks[i].deletionMark = mark }
        report.blocksMarked += 1
        progress.line("marked \(ulid) for deletion: \(reason)")
    }

    /// Downloads the step's inputs, writes the new block locally, uploads it, and marks
    /// the inputs it replaces.
    private func writeBlock(_ step: PlanStep, kind: String, options: MergeOptions) async throws {
        let work = config.resolvedWorkDirectory
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let stepDirectory = work + "/" + Self.stepPrefix + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: stepDirectory + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: stepDirectory) }

        var readers: [BlockReader] = []
        for input in step.inputs {
            let dir = stepDirectory + "/" + input.ulid.description
            let objects = try await store.list(prefix: input.ulid.description + "/").objects
            let files = objects.map { BlockDownload.File(path: String($0.key.dropFirst(input.ulid.description.count + 1)), size: $0.size) }
                .filter { $0.path != DeletionMark.fileName }
            try await BlockDownload.download(
                store, ulid: input.ulid, files: files, to: dir, pieceSize: Int64(max(1 << 20, min(32 << 20, config.memoryBudgetBytes / 8))))
            report.bytesRead += files.reduce(0) { $0 + $1.size }
            do {
                readers.append(try BlockReader(directory: dir))
            } catch {
                try await quarantine(input.ulid, problem: "\(error)")
                throw StepStopped()
            }
        }
        let inputs = readers
        let result: BlockMerger.Result
        do {
            result = try await NIOThreadPool.singleton.runIfActive {
                try BlockMerger.merge(inputs, into: stepDirectory + "/out", options: options)
            }
        } catch let error as MergeError {
            switch error {
            case .input(let block, let cause):
                try await quarantine(block, problem: "\(cause)")
                throw StepStopped()
            case .overlappingRollups(let what):
                throw PassFailure(.overlap, what)
            case .output(let cause):
                throw PassFailure(.other, "\(step.verb): \(cause)")
            }
        }
        report.samplesProcessed += result.samplesRead
        report.duplicatesDropped += result.duplicatesDropped

        if case .rewrite = step.action, let input = step.inputs.first {
            if result.seriesDropped == 0 {
                if let i = manifest.blocks.firstIndex(where: { $0.meta.ulid == input.ulid }) { manifest.blocks[i].retentionCheckedMs = nowMs }
                progress.line("no series of \(input.ulid) past retention; block unchanged")
                return
            }
            if result.meta.stats.numSeries == 0 {
                try await mark(input.ulid, reason: "retention passed for all \(result.seriesDropped) series")
                return
            }
        }
        try checkLock()
        journal.uploading.append(result.meta.ulid)
        try await journal.write(to: store)
        let local = stepDirectory + "/out/" + result.meta.ulid.description
        report.bytesWritten += try await BlockUpload.upload(store, localDirectory: local, ulid: result.meta.ulid)
        report.blocksWritten[kind, default: 0] += 1
        var block = BucketManifest.Block(meta: result.meta)
        if case .rewrite = step.action { block.retentionCheckedMs = nowMs }
        manifest.blocks.append(block)
        progress.line(
            "wrote \(result.meta.ulid) (\(result.meta.stats.numSeries) series, \(result.meta.stats.numSamples) samples"
                + (result.duplicatesDropped > 0 ? ", \(result.duplicatesDropped) repeated samples dropped" : "")
                + (result.seriesDropped > 0 ? ", \(result.seriesDropped) series dropped" : "") + ")")
        if case .downsample = step.action { return }
        for input in step.inputs { try await mark(input.ulid, reason: "replaced by \(result.meta.ulid)") }
        if case .mergeLevel = step.action { report.blocksCompacted += step.inputs.count }
        if case .mergeOverlapping = step.action { report.blocksCompacted += step.inputs.count }
    }
}

/// A step gave up after moving an input to quarantine, which is already reported as
/// the pass's failure.
struct StepStopped: Error {}
