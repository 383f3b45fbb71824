import Foundation
import Logging
import Testing
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraTestSupport

/// `tundra-compactor` killed with SIGKILL at random points of its passes, over and
/// over: no sample is ever missing from the bucket, and once a pass is let finish,
/// none is there twice.
@Suite(.serialized) struct CompactorKillTests {
    static let hour: Int64 = 3_600_000
    static let logger = Logger(label: "compactor-kill-test")

    @Test func everySampleSurvivesRepeatedSIGKILLAndTheNextPassFinishes() async throws {
        let dir = try TempDir("compactor-kill")
        defer { dir.remove() }
        let bucket = try CompactorBucket(dir)
        let expected = try await bucket.fill(blocks: 24, series: 40, lateBlocks: 3)
        let config = try bucket.writeConfig(extra: """
            downsampling:
              enabled: true
              raw_after: 0s
              1m_after: 0s
            retention:
              raw: forever
              1m: forever
              1h: forever
            """)

        var rng = SeededRandom(seed: 20_261_125)
        var kills = 0
        var runs = 0
        // Bounded: at most 60 runs, each killed after a few progress lines.
        while kills < 22 && runs < 60 {
            runs += 1
            let lines = Int(rng.next() % 14) + 1
            let extra = UInt32(rng.next() % 30_000)
            if try await offPool({ try CompactorProcess.runAndKill(config: config, afterLines: lines, extraMicroseconds: extra) }) {
                kills += 1
                try await bucket.expectNothingLost(expected, after: "kill \(kills) (after \(lines) lines)")
            }
        }
        #expect(kills >= 20, "only \(kills) of \(runs) runs were killed while working")

        let finish = try await offPool { try Command.run(TundraBinary.compactorPath, ["--config", config]) }
        #expect(finish.status == 0, "\(finish.stderr)")
        let settled = try await offPool { try Command.run(TundraBinary.compactorPath, ["--config", config]) }
        #expect(settled.status == 0 && settled.stderr.contains(": 0 steps"), "\(settled.stderr)")

        #expect(try await bucket.rawSamples() == expected, "every sample exactly once")
        let manifest = try await BucketManifest.build(from: bucket.store)
        for resolution in [Int64(0), 60_000, 3_600_000] {
            let live = manifest.liveBlocks.filter { ($0.meta.tundra?.resolution ?? 0) == resolution }.map(\.meta).sorted { $0.minTime < $1.minTime }
            #expect(!live.isEmpty, "resolution \(resolution)")
            #expect(zip(live, live.dropFirst()).allSatisfy { $0.maxTime <= $1.minTime }, "no overlapping blocks at \(resolution)")
        }
        #expect(manifest.partialUploads.isEmpty && manifest.unreadable.isEmpty)
        #expect(try await bucket.store.list(prefix: "quarantine/").objects.isEmpty)
        let work = (try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/work")) ?? []
        #expect(work.isEmpty, "what killed passes left in the work directory is gone: \(work)")
    }

    @Test func dryRunPrintsThePlanAndChangesNothing() async throws {
        let dir = try TempDir("compactor-dry")
        defer { dir.remove() }
        let bucket = try CompactorBucket(dir)
        // Five days old: past downsampling.raw_after (40h), inside raw retention (7d).
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let base = (now - 5 * 24 * Self.hour) / (48 * Self.hour) * (48 * Self.hour)
        _ = try await bucket.fill(blocks: 4, series: 2, lateBlocks: 1, base: base)
        let config = try bucket.writeConfig(extra: "")
        let before = try await bucket.store.list(prefix: "").keys
        let dry = try await offPool { try Command.run(TundraBinary.compactorPath, ["--config", config, "--dry-run"]) }
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("merge overlapping (raw)") && dry.stdout.contains("merge into 8h (raw)"), "\(dry.stdout)")
        #expect(dry.stdout.contains("downsample to 1m (raw)"), "the plan goes on with the block the merges would make: \(dry.stdout)")
        #expect(!dry.stdout.contains("retention"), "\(dry.stdout)")
        #expect(try await bucket.store.list(prefix: "").keys == before)
    }

    @Test func exitCodesSayHowThePassEnded() async throws {
        let dir = try TempDir("compactor-exit")
        defer { dir.remove() }
        let bucket = try CompactorBucket(dir)
        _ = try await bucket.fill(blocks: 2, series: 2, lateBlocks: 0)
        try await bucket.store.put("\(ULID(milliseconds: 5))/meta.json", bytes: Array("garbage".utf8))
        let metrics = dir.path + "/compactor.prom"
        let config = try bucket.writeConfig(extra: "", metricsFile: metrics)
        let first = try await offPool { try Command.run(TundraBinary.compactorPath, ["--config", config]) }
        #expect(first.status == 1, "an unreadable block fails the pass: \(first.stderr)")
        #expect(first.stderr.contains("QUARANTINED"), "\(first.stderr)")
        var text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("tundra_compactor_last_run_success 0.0") || text.contains("tundra_compactor_last_run_success 0\n"), "\(text)")
        #expect(text.contains("tundra_compactor_failures_total{reason=\"unreadable\"} 1"), "\(text)")

        let second = try await offPool { try Command.run(TundraBinary.compactorPath, ["--config", config]) }
        #expect(second.status == 0, "\(second.stderr)")
        text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("tundra_compactor_failures_total{reason=\"unreadable\"} 1"), "failures carry over: \(text)")
        #expect(text.contains("tundra_compactor_quarantined_blocks 1"), "\(text)")
        #expect(!text.contains("tundra_compactor_last_success_timestamp_seconds 0"), "\(text)")

        // A live holder of the lock (this test process) makes the next run exit 2.
        let lock = BucketLock(store: bucket.store, owner: "test-holder", logger: Self.logger)
        try await lock.acquire()
        let held = try await offPool { try Command.run(TundraBinary.compactorPath, ["--config", config]) }
        #expect(held.status == 2, "\(held.stderr)")
        #expect(held.stderr.contains("test-holder"), "\(held.stderr)")
        try await lock.release()
    }

    @Test func waitModeWaitsForTheLockThenRunsAPassEveryInterval() async throws {
        let dir = try TempDir("compactor-wait")
        defer { dir.remove() }
        let bucket = try CompactorBucket(dir)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await bucket.fill(blocks: 4, series: 2, lateBlocks: 0, base: (now - 5 * 24 * Self.hour) / (48 * Self.hour) * (48 * Self.hour))
        let config = try bucket.writeConfig(extra: "")
        let lock = BucketLock(store: bucket.store, owner: "test-holder", logger: Self.logger)
        try await lock.acquire()

        let p = Process()
        p.executableURL = URL(fileURLWithPath: TundraBinary.compactorPath)
        p.arguments = ["--config", config, "--wait", "--interval", "1s"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        let output = OutputCollector(err.fileHandleForReading)
        let seen = ContinuousClock.now + .seconds(20)
        while !output.text.contains("bucket lock held, waiting") && ContinuousClock.now < seen {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(output.text.contains("bucket lock held, waiting") && output.text.contains("test-holder"), "\(output.text)")
        #expect(p.isRunning, "with --wait a held lock is waited for, not an exit")
        #expect(!output.text.contains("pass done"), "\(output.text)")
        try await lock.release()
        // The waiting compactor polls every 10 s; then a pass every second.
        let deadline = ContinuousClock.now + .seconds(40)
        while output.text.components(separatedBy: "pass done").count < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(output.text.components(separatedBy: "pass done").count >= 3, "two passes after the lock was free: \(output.text)")
        #expect(try await bucket.liveBlocks().filter { ($0.meta.tundra?.resolution ?? 0) == 0 }.count == 1, "the first pass merged the 8h window")
    }

    @Test func memoryStaysWithinTheBudgetOnABlockLargerThanIt() async throws {
        let dir = try TempDir("compactor-memory")
        defer { dir.remove() }
        // Peak RSS of merging four small blocks, then four of ~20 MiB each, with a
        // 16 MiB budget: the difference must stay under the budget.
        var peaks: [Int64] = []
        for (name, samplesPerSeries) in [("small", 1_000), ("large", 80_000)] {
            let bucket = try CompactorBucket(try TempDir("compactor-memory-\(name)"))
            defer { bucket.dir.remove() }
            let bytes = try await bucket.fillNoisy(series: 30, samplesPerSeries: samplesPerSeries)
            let metrics = bucket.dir.path + "/m.prom"
            let config = try bucket.writeConfig(
                extra: "downsampling:\n  enabled: false\nretention:\n  raw: forever\n", metricsFile: metrics, budgetMiB: 16)
            let run = try await offPool { try Command.run(TundraBinary.compactorPath, ["--config", config]) }
            #expect(run.status == 0 && run.stderr.contains("blocks written 1"), "\(run.stderr)")
            let text = try String(contentsOfFile: metrics, encoding: .utf8)
            let line = text.split(separator: "\n").first { $0.hasPrefix("tundra_compactor_pass_peak_resident_bytes ") }
            let peak = Int64(Double(line?.split(separator: " ").last ?? "") ?? 0)
            #expect(peak > 0, "\(text)")
            peaks.append(peak)
            if name == "large" { #expect(bytes > 64 << 20, "the blocks (\(bytes >> 20) MiB) are larger than the budget") }
        }
        #expect(peaks[1] - peaks[0] < 16 << 20, "peak RSS small \(peaks[0] >> 20) MiB, large \(peaks[1] >> 20) MiB")
    }
}

/// A filesystem bucket of raw blocks, and the samples it holds.
struct CompactorBucket {
    let dir: TempDir
    let store: any ObjectStore

    init(_ dir: TempDir) throws {
        self.dir = dir
        store = try FilesystemStore(directory: dir.path + "/bucket")
    }

    static func labels(_ i: Int) -> Labels { Labels(["__name__": "cpu_seconds_total", "instance": "host-\(i)", "job": "node"]) }

    /// `blocks` adjacent 2h blocks from time 0, and `lateBlocks` blocks overlapping
    /// them with repeats and samples of their own.
    func fill(blocks: Int, series: Int, lateBlocks: Int, base: Int64 = 0) async throws -> [Labels: [Sample]] {
        let hour = CompactorKillTests.hour
        var expected: [Labels: [Sample]] = [:]
        for b in 0..<blocks {
            let from = base + Int64(b) * 2 * hour
            let data = (0..<series).map { i in
                (Self.labels(i), stride(from: from, to: from + 2 * hour, by: 15_000).map { Sample(t: $0, v: Double($0 / 1000 + Int64(i))) })
            }
            for (l, s) in data { expected[l, default: []] += s }
            try await upload(data, from: from, to: from + 2 * hour)
        }
        for k in 0..<lateBlocks {
            let from = base + Int64(2 * k + 1) * 2 * hour
            let repeats = stride(from: from, to: from + hour, by: 15_000).map { Sample(t: $0, v: Double($0 / 1000)) }
            let own = stride(from: from + 7_000, to: from + 2 * hour, by: 15_000).map { Sample(t: $0, v: 1) }
            let late = Labels(["__name__": "late_total", "block": "\(k)"])
            expected[late] = own
            try await upload([(Self.labels(0), repeats), (late, own)], from: from, to: from + 2 * hour)
        }
        return expected.mapValues { $0.sorted { $0.t < $1.t } }
    }

    /// Four 2h blocks filling an 8h window, of noisy values (about 9 bytes a sample);
    /// returns their bytes.
    func fillNoisy(series: Int, samplesPerSeries: Int) async throws -> Int64 {
        var rng = SeededRandom(seed: 7)
        var total: Int64 = 0
        let span = 2 * CompactorKillTests.hour
        let step = span / Int64(samplesPerSeries)
        for b in Int64(0)..<4 {
            let data = (0..<series).map { i in
                (Self.labels(i), (0..<samplesPerSeries).map { k in Sample(t: b * span + Int64(k) * step, v: Double(rng.next() % 1_000_000_007) / 7.3) })
            }
            total += try await upload(data, from: b * span, to: (b + 1) * span)
        }
        return total
    }

    @discardableResult
    func upload(_ series: [(Labels, [Sample])], from: Int64, to: Int64) async throws -> Int64 {
        let local = dir.path + "/local"
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        let meta = try BlockWriter.write(
            parentDirectory: local, minTime: from, maxTime: to, series: try series.map { (labels: $0.0, chunks: try SampleChunker.chunks($0.1)) })
        let bytes = try await BlockUpload.upload(store, localDirectory: local + "/" + meta.ulid.description, ulid: meta.ulid)
        try FileManager.default.removeItem(atPath: local + "/" + meta.ulid.description)
        return bytes
    }

    func writeConfig(extra: String, metricsFile: String? = nil, budgetMiB: Int = 64) throws -> String {
        let path = dir.path + "/compactor.yml"
        var text = """
            bucket:
              type: FILESYSTEM
              config:
                directory: \(dir.path)/bucket
            compactor:
              work_dir: \(dir.path)/work
              levels: [2h, 8h, 2d]
              deletion_delay: 0
              memory_budget_mib: \(budgetMiB)

            """
        if let metricsFile { text += "  metrics_file: \(metricsFile)\n" }
        text += extra + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Live blocks of any resolution, from a fresh listing.
    func liveBlocks() async throws -> [BucketManifest.Block] {
        try await BucketManifest.build(from: store).liveBlocks
    }

    /// Raw samples of every live block from a fresh listing; a repeat shows twice.
    func rawSamples() async throws -> [Labels: [Sample]] {
        let manifest = try await BucketManifest.build(from: store)
        var out: [Labels: [Sample]] = [:]
        for block in manifest.liveBlocks where (block.meta.tundra?.resolution ?? 0) == 0 {
            let local = dir.path + "/read-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: local) }
            let prefix = block.meta.ulid.description + "/"
            let objects = try await store.list(prefix: prefix).objects
            try await BlockDownload.download(
                store, ulid: block.meta.ulid, files: objects.map { BlockDownload.File(path: String($0.key.dropFirst(prefix.count)), size: $0.size) },
                to: local)
            let reader = try BlockReader(directory: local)
            for s in try reader.select(matchers: []) { out[s.labels, default: []] += try reader.samples(of: s) }
        }
        return out.mapValues { $0.sorted { ($0.t, $0.v) < ($1.t, $1.v) } }
    }

    /// Every expected sample is in some live raw block, with its value.
    func expectNothingLost(_ expected: [Labels: [Sample]], after: String) async throws {
        let found = try await rawSamples()
        for (labels, samples) in expected {
            let have = Set((found[labels] ?? []).map { "\($0.t):\($0.v)" })
            let missing = samples.filter { !have.contains("\($0.t):\($0.v)") }
            #expect(missing.isEmpty, "\(after): \(missing.count) samples of \(labels) missing")
        }
    }
}

/// Everything a process writes to a pipe, read on a thread of its own.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                lock.withLock { data.append(chunk) }
            }
        }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// Runs the compactor and kills it once it has written some lines of progress.
enum CompactorProcess {
    /// True when the process was still running and was killed.
    static func runAndKill(config: String, afterLines lines: Int, extraMicroseconds: UInt32) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TundraBinary.compactorPath)
        p.arguments = ["--config", config]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        var seen = 0
        while seen < lines {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk.filter { $0 == 0x0A }.count
        }
        var killed = false
        if p.isRunning {
            usleep(extraMicroseconds)
            killed = kill(p.processIdentifier, SIGKILL) == 0
        }
        p.waitUntilExit()
        return killed && p.terminationReason == .uncaughtSignal
    }
}
