import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraEncoding
import TundraModel
import TundraObjectStore
import TundraTestSupport

/// Whole passes against the filesystem bucket and SeaweedFS: what is in the bucket
/// afterwards, read back from a fresh listing.
@Suite struct CompactorPassTests {
    static let hour = PassFixtures.hour

    @Test(arguments: ["filesystem", "s3"]) func mergesAdjacentAndOverlappingBlocksWithoutLosingOrRepeatingSamples(_ kind: String) async throws {
        try await withStore(kind) { f in
            var expected: [Labels: [Sample]] = [:]
            let series = (0..<3).map { PassFixtures.labels($0) }
            for i in Int64(0)..<8 {
                try await f.upload(series: series, from: i * 2 * Self.hour, to: (i + 1) * 2 * Self.hour, step: 60_000)
            }
            for l in series { expected[l] = stride(from: Int64(0), to: 16 * Self.hour, by: 60_000).map { Sample(t: $0, v: Double($0 / 1000)) } }
            // Late data cut into a second block: repeats of p0 and a series of its own.
            let late = PassFixtures.labels(9)
            let repeats = stride(from: 2 * Self.hour, to: 3 * Self.hour, by: 60_000).map { Sample(t: $0, v: Double($0 / 1000)) }
            let lateSamples = stride(from: 2 * Self.hour + 5_000, to: 4 * Self.hour, by: 60_000).map { Sample(t: $0, v: 7) }
            try await f.upload([(series[0], repeats), (late, lateSamples)], from: 2 * Self.hour, to: 4 * Self.hour)
            expected[late] = lateSamples

            let report = try await CompactorPass(
                store: f.store, config: PassFixtures.config(f.scratch), clock: PassFixtures.clock(at: 20 * Self.hour), logger: TestStores.logger
            ).run()
            #expect(report.succeeded, "\(report.failures)")
            #expect(report.blocksWritten["merge"] == 3, "one overlap merge, then two 8h windows")
            #expect(report.duplicatesDropped == repeats.count)
            #expect(report.blocksDeleted.count == 10, "9 uploaded blocks and the overlap merge, deletion_delay 0")

            let live = try await f.liveBlocks()
            #expect(live.map { [$0.meta.minTime, $0.meta.maxTime] } == [[0, 8 * Self.hour], [8 * Self.hour, 16 * Self.hour]])
            #expect(try await f.rawSamples() == expected)

            let manifest = try await BucketManifest.read(from: f.store)
            #expect(Set(manifest.liveBlocks.map(\.meta.ulid)) == Set(live.map(\.meta.ulid)))
            #expect(report.requests[.list] >= 1 && report.requests[.put] >= 3)

            let again = try await CompactorPass(
                store: f.store, config: PassFixtures.config(f.scratch), clock: PassFixtures.clock(at: 20 * Self.hour), logger: TestStores.logger
            ).run()
            #expect(again.steps.isEmpty && again.succeeded, "the bucket is in its target state: \(again.steps)")
            #expect(again.requests[.get] <= 3, "a pass over a known bucket reads the journal and manifest, not every block: \(again.requests)")
        }
    }

    @Test(arguments: ["filesystem", "s3"]) func downsamplesThenDeletesRawOnlyOnceTheRollupIsThere(_ kind: String) async throws {
        try await withStore(kind) { f in
            let series = (0..<2).map { PassFixtures.labels($0) }
            var raw: [Labels: [Sample]] = [:]
            for i in Int64(0)..<4 {
                // A counter with a reset in every block.
                try await f.upload(series: series, from: i * 2 * Self.hour, to: (i + 1) * 2 * Self.hour) { _, t in Double(t % (3_000_000)) }
            }
            for l in series { raw[l] = stride(from: Int64(0), to: 8 * Self.hour, by: 15_000).map { Sample(t: $0, v: Double($0 % 3_000_000)) } }
            var config = PassFixtures.config(f.scratch)
            config.downsampling.enabled = true
            config.downsampling.rawAfterMs = 0
            config.downsampling.oneMinuteAfterMs = 0
            config.retention.periods[.raw] = Self.hour

            let report = try await CompactorPass(store: f.store, config: config, clock: PassFixtures.clock(at: 20 * Self.hour), logger: TestStores.logger).run()
            #expect(report.succeeded, "\(report.failures)")
            #expect(report.blocksWritten["downsample"] == 2)
            #expect(try await f.liveBlocks(resolution: 0).isEmpty, "raw past retention, and its 1m rollup is in the bucket")

            let minute = try await f.liveBlocks(resolution: RollupWindows.oneMinute)
            let hour = try await f.liveBlocks(resolution: RollupWindows.oneHour)
            #expect(minute.count == 1 && hour.count == 1)
            for (block, expectedResolution) in [(minute.first, RollupWindows.oneMinute), (hour.first, RollupWindows.oneHour)] {
                guard let (meta, reader) = block else { continue }
                #expect(meta.minTime == 0 && meta.maxTime == 8 * Self.hour)
                for s in try reader.select(matchers: []) {
                    let samples = try #require(raw[s.labels])
                    var want = try Downsampler.downsample(samples, resolution: RollupWindows.oneMinute)
                    if expectedResolution == RollupWindows.oneHour { want = try Downsampler.downsample(want, resolution: RollupWindows.oneHour) }
                    let got = try s.chunks.map { try reader.chunk($0.ref).rollup() }
                    #expect(got == want, "\(s.labels) at \(expectedResolution) ms")
                }
            }
        }
    }

    @Test func keepsRawWhenItsRollupIsMissing() async throws {
        try await withStore("filesystem") { f in
            try await f.upload(series: [PassFixtures.labels(0)], from: 0, to: 2 * Self.hour)
            var config = PassFixtures.config(f.scratch)
            config.retention.periods[.raw] = Self.hour
            // Downsampling off and require_rollup on: raw stays however old.
            let report = try await CompactorPass(store: f.store, config: config, clock: PassFixtures.clock(at: 100 * Self.hour), logger: TestStores.logger).run()
            #expect(report.steps.isEmpty && report.succeeded)
            #expect(try await f.liveBlocks().count == 1)
            config.retention.requireRollup = false
            let second = try await CompactorPass(store: f.store, config: config, clock: PassFixtures.clock(at: 100 * Self.hour), logger: TestStores.logger).run()
            #expect(second.blocksDeleted.count == 1, "the policy says raw may go without a rollup")
            #expect(try await f.liveBlocks().isEmpty)
        }
    }

    @Test func overrideShorterThanTheBlockRewritesItWithoutTheMatchedSeries() async throws {
        try await withStore("filesystem") { f in
            let prod = PassFixtures.labels(0)
            let dev = PassFixtures.labels(1, env: "dev")
            try await f.upload(series: [prod, dev], from: 0, to: 2 * Self.hour)
            var config = PassFixtures.config(f.scratch)
            config.retention.requireRollup = false
            config.retention.overrides = [
                RetentionPolicy.Override(selector: "{env=\"dev\"}", matchers: try SelectorText.parse("{env=\"dev\"}"), periods: [.raw: Self.hour])
            ]
            let report = try await CompactorPass(store: f.store, config: config, clock: PassFixtures.clock(at: 10 * Self.hour), logger: TestStores.logger).run()
            #expect(report.succeeded && report.blocksWritten["rewrite"] == 1, "\(report.steps)")
            #expect(Set(try await f.rawSamples().keys) == [prod])
            let again = try await CompactorPass(store: f.store, config: config, clock: PassFixtures.clock(at: 11 * Self.hour), logger: TestStores.logger).run()
            #expect(again.steps.isEmpty, "a rewritten block is not rewritten again: \(again.steps)")
        }
    }

    @Test(arguments: ["filesystem", "s3"]) func quarantinesUnreadableBlocksAndCleansUpInterruptedUploads(_ kind: String) async throws {
        try await withStore(kind) { f in
            let good = try await f.upload(series: [PassFixtures.labels(0)], from: 0, to: 2 * Self.hour)
            let broken = ULID(milliseconds: 1_000)
            try await f.store.put(broken.description + "/meta.json", bytes: Array("{not json".utf8))
            try await f.store.put(broken.description + "/index", bytes: [1, 2, 3])
            let stranger = ULID(milliseconds: 2_000)
            try await f.store.put(stranger.description + "/index", bytes: [1])
            let interrupted = ULID(milliseconds: 3_000)
            try await f.store.put(interrupted.description + "/chunks/000001", bytes: [1])
            try await PassJournal(inProgress: true, startedMs: 0, uploading: [interrupted]).write(to: f.store)

            let config = PassFixtures.config(f.scratch)
            let report = try await CompactorPass(store: f.store, config: config, clock: .system, logger: TestStores.logger).run()
            #expect(!report.succeeded && report.failures.map(\.reason) == [.unreadable])
            #expect(report.quarantined == [broken] && report.quarantinedTotal == 1)
            #expect(try await f.store.get("quarantine/\(broken)/meta.json") == Array("{not json".utf8), "moved aside, not deleted")
            #expect(try await f.store.get("quarantine/\(broken)/index") == [1, 2, 3])
            #expect(try await f.store.get("quarantine/\(broken)/quarantine.json").count > 0)
            #expect(try await f.store.list(prefix: broken.description + "/").objects.isEmpty)
            #expect(report.partialUploadsRemoved == [interrupted], "our own interrupted upload goes at once, a recent unknown one stays")
            #expect(try await f.store.head(stranger.description + "/index") != nil)
            #expect(try await f.liveBlocks().map(\.meta.ulid) == [good.ulid])

            var later = config
            later.partialUploadAgeMs = 0
            let second = try await CompactorPass(store: f.store, config: later, clock: .system, logger: TestStores.logger).run()
            #expect(second.partialUploadsRemoved == [stranger])
            #expect(second.succeeded && second.quarantinedTotal == 1, "later passes succeed and still count the quarantine")
        }
    }

    @Test func aBlockWithACorruptChunkIsQuarantinedAndTheOthersMergedNextPass() async throws {
        try await withStore("filesystem") { f in
            let series = [PassFixtures.labels(0), PassFixtures.labels(1)]
            var metas: [BlockMeta] = []
            for i in Int64(0)..<4 {
                metas.append(try await f.upload(series: series, from: i * 2 * Self.hour, to: (i + 1) * 2 * Self.hour))
            }
            let bad = metas[1].ulid
            let key = "\(bad)/chunks/000001"
            var bytes = try await f.store.get(key)
            bytes[bytes.count / 2] ^= 0xFF
            try await f.store.put(key, bytes: bytes)

            let config = PassFixtures.config(f.scratch)
            let first = try await CompactorPass(store: f.store, config: config, clock: PassFixtures.clock(at: 20 * Self.hour), logger: TestStores.logger).run()
            #expect(first.failures.map(\.reason) == [.unreadable], "\(first.failures)")
            #expect(first.quarantined == [bad])
            #expect(try await f.store.get("quarantine/\(bad)/chunks/000001") == bytes, "moved aside as it was")
            #expect(Set(try await f.liveBlocks().map(\.meta.ulid)) == Set([metas[0], metas[2], metas[3]].map(\.ulid)), "the others untouched")

            let second = try await CompactorPass(store: f.store, config: config, clock: PassFixtures.clock(at: 20 * Self.hour), logger: TestStores.logger).run()
            #expect(second.succeeded && second.blocksWritten["merge"] == 1, "\(second.steps)")
            let samples = try await f.rawSamples()
            for labels in series {
                var want: [Int64] = []
                for i: Int64 in [0, 2, 3] { want += Array(stride(from: i * 2 * Self.hour, to: (i + 1) * 2 * Self.hour, by: 15_000)) }
                #expect(samples[labels]?.map(\.t) == want, "\(labels)")
            }
        }
    }

    @Test func aSecondCompactorExitsWithTheHolderNamed() async throws {
        try await withStore("filesystem") { f in
            let rival = BucketLock(store: f.store, owner: "rival", logger: TestStores.logger)
            try await rival.acquire()
            let outcome = await CompactorRun.pass(
                store: f.store, config: PassFixtures.config(f.scratch), waitForLock: nil, logger: TestStores.logger, progress: .silent)
            #expect(outcome.exitCode == 2)
            guard case .lockHeld(let message) = outcome else {
                Issue.record("expected lockHeld, got \(outcome)")
                return
            }
            #expect(message.contains("rival") && message.contains("lease expires"))
            try await rival.release()
        }
    }

    func withStore(_ kind: String, _ body: (PassFixtures) async throws -> Void) async throws {
        let scratch = try TempDir("pass-\(kind)")
        defer { scratch.remove() }
        if kind == "s3" {
            let weed = try await SeaweedFSProcess()
            defer { weed.stop() }
            try await body(PassFixtures(store: try TestStores.seaweed(weed), scratch: scratch))
        } else {
            try await body(PassFixtures(store: try TestStores.filesystem(scratch), scratch: scratch))
        }
    }
}
