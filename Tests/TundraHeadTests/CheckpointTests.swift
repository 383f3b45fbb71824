import Foundation
import Synchronization
import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

@Suite struct CheckpointTests {
    let hour: Int64 = 3_600_000
    let options = testOptions { $0.wal = WALOptions(segmentSize: 2 << 10, sync: .never) }

    /// Appends data over [from, to): a steady series every minute with late samples
    /// half a minute behind, and `extra` series every five minutes over the first hour.
    private func fill(
        _ head: Head, from: Int64, to: Int64, extra: [Labels] = [], model: inout [Labels: [Sample]]
    ) throws {
        let steady = series("steady", ["job": "a"])
        var t = from
        var pendingLate: [Sample] = []
        while t < to {
            var batch: [SeriesSamples] = []
            var samples: [Sample] = []
            // Ten minutes a batch.
            while t < to && samples.count < 10 {
                samples.append(Sample(t: t, v: Double(t / 60_000)))
                t += 60_000
            }
            let late = pendingLate
            batch.append(SeriesSamples(labels: steady, samples: late + samples))
            model[steady, default: []] += late + samples
            pendingLate = samples.dropLast().map { Sample(t: $0.t + 30_000, v: -1) }
            for l in extra {
                let own = samples.filter { ($0.t - from) % 300_000 == 0 && $0.t < from + hour }
                if own.isEmpty { continue }
                batch.append(SeriesSamples(labels: l, samples: own))
                model[l, default: []] += own
            }
            let r = try head.append(batch)
            #expect(r.rejectedSamples == 0)
            #expect(r.duplicates == 0)
        }
        for (l, s) in model { model[l] = s.sorted { $0.t < $1.t } }
    }

    private func retained(_ model: [Labels: [Sample]], from mint: Int64) -> [Labels: [Sample]] {
        model.mapValues { $0.filter { $0.t >= mint } }.filter { !$0.value.isEmpty }
    }

    private func checkpointDirs(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("checkpoint.") }.sorted()
    }

    @Test func truncateDropsOldDataAndCheckpointsTheWAL() throws {
        let dir = try TempDir("checkpoint")
        defer { dir.remove() }
        let head = try Head(directory: dir.path, options: options, logger: testLogger)
        var model: [Labels: [Sample]] = [:]
        let early = series("early", ["pod": "gone"])
        try fill(head, from: 0, to: 6 * hour, extra: [early], model: &model)
        // A series that straddles the cut and one that only just reaches past it.
        let edge = series("edge")
        let edgeSamples = [Sample(t: 2 * hour - 600_000, v: 1), Sample(t: 2 * hour + 60_000, v: 2)]
        _ = try head.append([SeriesSamples(labels: edge, samples: edgeSamples)])
        model[edge] = edgeSamples
        #expect(try dump(head) == model)

        let segmentsBefore = try WALFiles.segments(dir.path)
        try #require(segmentsBefore.count > 2)
        let mint = 2 * hour
        let st = try head.truncate(before: mint)
        let expected = retained(model, from: mint)
        #expect(expected[early] == nil)
        #expect(try dump(head) == expected)
        #expect(st.samplesDropped == sampleCount(model) - sampleCount(expected))
        #expect(st.seriesRemoved == 1)
        #expect(head.storageStats().samples == sampleCount(expected))
        #expect(head.stats.series == expected.count)

        // The index forgets emptied series.
        #expect(Set(head.series([])) == Set(expected.keys))
        #expect(head.labelValues("pod").isEmpty)
        #expect(!head.labelNames().contains("pod"))
        #expect(head.labelValues("__name__") == ["edge", "steady"])

        // The WAL: segments up to `through` folded into a checkpoint and deleted.
        let cp = try #require(st.checkpoint)
        #expect(cp.throughSegment == segmentsBefore.last)
        #expect(cp.seriesKept == expected.count)
        #expect(cp.samplesKept == sampleCount(expected))
        #expect(cp.segmentsRemoved == segmentsBefore.count)
        #expect(try WALFiles.segments(dir.path) == [cp.throughSegment + 1])
        let cpName = "checkpoint." + WALSegment.name(cp.throughSegment)
        #expect(try checkpointDirs(dir.path) == [cpName])
        #expect(try WALFiles.segments(dir.path + "/" + cpName) == [0])

        // Nothing before mint is taken any more, late window or not.
        let tooOld = try head.append([
            entry(edge, [(mint - 60_000, 5)]),  // within 15 minutes of edge's newest
            entry(series("brand_new"), [(mint - 1, 1), (mint - 2, 1)]),
        ])
        #expect(tooOld.appended == 0)
        #expect(tooOld.rejections.map(\.reason) == Array(repeating: .tooOld(minValid: mint), count: 3))
        #expect(tooOld.rejections.compactMap(\.timestamp).sorted() == [mint - 60_000, mint - 2, mint - 1])
        // A series whose every sample was refused is not created.
        #expect(head.series([.equal("__name__", "brand_new")]).isEmpty)
        #expect(head.stats.series == expected.count)
        #expect(head.stats.rejected["too_old"] == 3)
        // At mint is fine.
        #expect(try head.append([entry(edge, [(mint, 3)])]).appended == 1)
        var after = expected
        after[edge] = [Sample(t: mint, v: 3)] + (after[edge] ?? [])
        #expect(try dump(head) == after)
        try head.close()

        let reopened = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(reopened) == after)
        #expect(reopened.replayStats.truncatedSegments.isEmpty)
        #expect(reopened.stats.series == after.count)
        #expect(reopened.labelValues("pod").isEmpty)
    }

    @Test func repeatedTruncationsKeepWorking() throws {
        let dir = try TempDir("checkpoint-repeat")
        defer { dir.remove() }
        var head = try Head(directory: dir.path, options: options, logger: testLogger)
        var model: [Labels: [Sample]] = [:]
        try fill(head, from: 0, to: 2 * hour, extra: [series("round", ["r": "0"])], model: &model)
        var previous: String?
        for round in 1...4 {
            let from = Int64(round) * 2 * hour
            try fill(head, from: from, to: from + 2 * hour, extra: [series("round", ["r": "\(round)"])], model: &model)
            let st = try head.truncate(before: from)
            model = retained(model, from: from)
            #expect(try dump(head) == model, "round \(round)")
            #expect(head.labelValues("r") == ["\(round)"], "round \(round)")
            let cp = try #require(st.checkpoint)
            #expect(cp.seriesKept == model.count)
            #expect(cp.samplesKept == sampleCount(model))
            let name = "checkpoint." + WALSegment.name(cp.throughSegment)
            #expect(try checkpointDirs(dir.path) == [name], "round \(round): the older checkpoint is removed")
            #expect(name != previous)
            #expect(try WALFiles.segments(dir.path).allSatisfy { $0 > cp.throughSegment })
            previous = name

            // Every other round, restart: the next checkpoint then starts from a
            // checkpoint read back by replay.
            if round % 2 == 0 {
                try head.close()
                head = try Head(directory: dir.path, options: options, logger: testLogger)
                #expect(try dump(head) == model, "round \(round): reopened")
                #expect(head.replayStats.truncatedSegments.isEmpty)
            }
        }
        // A checkpoint of a checkpoint with nothing new in between.
        let end: Int64 = 10 * hour
        let st = try head.truncate(before: end - hour)
        model = retained(model, from: end - hour)
        #expect(st.checkpoint?.samplesKept == sampleCount(model))
        let st2 = try head.truncate(before: end - hour)
        #expect(st2.samplesDropped == 0)
        #expect(st2.seriesRemoved == 0)
        #expect(st2.checkpoint?.samplesKept == sampleCount(model))
        #expect(try checkpointDirs(dir.path).count == 1)
        try head.close()
        let last = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(last) == model)
        #expect(sampleCount(model) > 0)
    }

    @Test func truncationBetweenBlockBoundariesDropsExactly() throws {
        let dir = try TempDir("checkpoint-unaligned")
        defer { dir.remove() }
        let head = try Head(directory: dir.path, options: options, logger: testLogger)
        var model: [Labels: [Sample]] = [:]
        try fill(head, from: 0, to: 3 * hour, model: &model)
        let mint = 2 * hour + 25 * 60_000 + 15_000  // inside a chunk, between late samples
        let st = try head.truncate(before: mint)
        let expected = retained(model, from: mint)
        #expect(try dump(head) == expected)
        #expect(st.samplesDropped == sampleCount(model) - sampleCount(expected))
        #expect(head.storageStats().samples == sampleCount(expected))
        // Conflicts and duplicates are still found in the re-cut chunk.
        let steady = series("steady", ["job": "a"])
        // (within the late window of the newest sample, 2h59m)
        let kept = try #require(expected[steady]?.filter { $0.t >= 2 * hour + 45 * 60_000 }.prefix(2))
        #expect(kept.map { $0.v < 0 } == [false, true], "one from the re-cut chunk, one late sample")
        #expect(try head.append([SeriesSamples(labels: steady, samples: Array(kept))]).duplicates == 2)
        let conflict = try head.append([SeriesSamples(labels: steady, samples: kept.map { Sample(t: $0.t, v: 99) })])
        #expect(conflict.rejectedSamples == 2)
        // The re-cut chunk still takes new samples.
        #expect(try head.append([entry(steady, [(3 * hour, 1)])]).appended == 1)
        var after = expected
        after[steady, default: []].append(Sample(t: 3 * hour, v: 1))
        #expect(try dump(head) == after)
        try head.close()
        let reopened = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(reopened) == after)
    }

    @Test func seriesRemovedThenSeenAgainIsOneSeries() throws {
        let dir = try TempDir("checkpoint-revive")
        defer { dir.remove() }
        let head = try Head(directory: dir.path, options: options, logger: testLogger)
        let s = series("flappy", ["pod": "p"])
        _ = try head.append([entry(s, [(1000, 1)]), entry(series("other"), [(1000, 1), (10 * hour, 1)])])
        let oldRef = try #require(memSeries(head, s)?.ref)
        let st = try head.truncate(before: hour)
        #expect(st.seriesRemoved == 1)
        #expect(memSeries(head, s) == nil)
        #expect(try head.append([entry(s, [(2 * hour, 2)])]).appended == 1)
        let newRef = try #require(memSeries(head, s)?.ref)
        #expect(newRef != oldRef)
        #expect(head.stats.seriesCreated == 3)
        let expected: [Labels: [Sample]] = [s: [Sample(t: 2 * hour, v: 2)], series("other"): [Sample(t: 10 * hour, v: 1)]]
        #expect(try dump(head) == expected)
        try head.close()
        let reopened = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(reopened) == expected)
        #expect(reopened.series([.equal("__name__", "flappy")]).count == 1)
        // Refs are not reused after a restart.
        let fresh = series("fresh")
        _ = try reopened.append([entry(fresh, [(3 * hour, 1)])])
        let refs = reopened.series([]).compactMap { memSeries(reopened, $0)?.ref }
        #expect(Set(refs).count == 3)
    }

    @Test func seriesBeingCreatedDuringACheckpointIsKept() throws {
        let dir = try TempDir("checkpoint-inflight")
        defer { dir.remove() }
        let head = try Head(directory: dir.path, options: options, logger: testLogger)
        _ = try head.append([entry(series("existing"), [(hour, 1)])])
        let l = series("in_flight")
        let logged = DispatchSemaphore(value: 0)
        let created = DispatchSemaphore(value: 0)
        // What `create` does, slowed down: under the index lock, the series record
        // goes to the WAL first and the series into the map after.
        let creator = Thread {
            head.index.withLock { idx in
                let s = MemSeries(ref: idx.nextRef, labels: l, hash: l.stableHash)
                idx.nextRef += 1
                try? head.wal?.log([.series([(s.ref, l)])])
                logged.signal()
                Thread.sleep(forTimeInterval: 0.05)
                idx.postings.add(s.ref, l)
                head.series.add(s)
            }
            created.signal()
        }
        creator.start()
        logged.wait()
        // The record is in a segment this checkpoint folds; the series must survive it.
        let st = try head.truncate(before: 0)
        created.wait()
        #expect(st.checkpoint?.seriesKept == 2)
        _ = try head.append([entry(l, [(2 * hour, 2)])])
        let expected: [Labels: [Sample]] = [series("existing"): [Sample(t: hour, v: 1)], l: [Sample(t: 2 * hour, v: 2)]]
        #expect(try dump(head) == expected)
        try head.close()
        let reopened = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(reopened) == expected)
    }

    @Test func floorNeverMovesBack() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        _ = try head.append([entry(l, [(5 * hour, 1)])])
        let st = try head.truncate(before: 4 * hour)
        #expect(st.checkpoint == nil)
        _ = try head.truncate(before: 2 * hour)
        let r = try head.append([entry(l, [(5 * hour - 60_000, 1)]), entry(series("n"), [(3 * hour, 1)])])
        #expect(r.appended == 1)
        #expect(r.rejections.map(\.reason) == [.tooOld(minValid: 4 * hour)])
    }

    @Test func leftoverTemporaryCheckpointIsIgnoredAndCleared() throws {
        let dir = try TempDir("checkpoint-tmp")
        defer { dir.remove() }
        var head = try Head(directory: dir.path, options: options, logger: testLogger)
        var model: [Labels: [Sample]] = [:]
        try fill(head, from: 0, to: hour, model: &model)
        try head.close()
        // A crash while writing a checkpoint leaves its temporary folder behind.
        let tmp = dir.path + "/checkpoint.00000099.tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        try WALFiles.write(Array("TWAL".utf8) + [1, 0, 0, 0, 1, 2, 3], to: tmp + "/00000000")
        head = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(head) == model)
        #expect(head.replayStats.truncatedSegments.isEmpty)
        let st = try head.truncate(before: hour / 2)
        #expect(st.checkpoint != nil)
        #expect(!FileManager.default.fileExists(atPath: tmp))
        try head.close()
        let again = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(again) == retained(model, from: hour / 2))
    }

    @Test func segmentOfAnUnknownVersionSurvivesCheckpoints() throws {
        let dir = try TempDir("checkpoint-foreign")
        defer { dir.remove() }
        // As if a newer build had left a segment behind before a downgrade.
        let foreign = Array("TWAL".utf8) + [9, 0, 0, 0] + [UInt8](repeating: 0xAB, count: 64)
        try WALFiles.write(foreign, to: WALFiles.path(dir.path, 1))
        let head = try Head(directory: dir.path, options: options, logger: testLogger)
        var model: [Labels: [Sample]] = [:]
        try fill(head, from: 0, to: hour, model: &model)
        let st = try head.truncate(before: hour / 2)
        #expect(st.checkpoint != nil)
        try head.close()
        #expect(try WALFiles.read(WALFiles.path(dir.path, 1)) == foreign, "the unknown segment was changed or deleted")
        let again = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(again) == retained(model, from: hour / 2))
    }
}
