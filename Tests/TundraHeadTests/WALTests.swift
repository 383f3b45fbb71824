import Foundation
import Logging
import Synchronization
import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

@Suite struct WALTests {
    let bigSegments = testOptions { $0.wal = WALOptions(sync: .never) }

    /// Fills a head in `dir` with series, in-order and late samples, stale markers,
    /// odd label values; returns what it holds.
    @discardableResult
    private func fill(_ dir: String, seed: UInt64 = 1, batches: Int = 40, options: HeadOptions? = nil) throws -> [Labels: [Sample]] {
        var rng = SeededRandom(seed: seed)
        let head = try Head(directory: dir, options: options ?? bigSegments, logger: testLogger)
        let lateOne = series("late_one", ["kind": "late"])
        let pool = [
            lateOne,
            series("up", ["job": "node"]),
            series("http_requests_total", ["code": "200", "path": "/a b\n\"q\"\\"]),
            series("temp", ["loc": "Zürich ☃"]),
            series("neg"),
        ]
        var newest: [Labels: Int64] = [:]
        for b in 0..<batches {
            var batch: [SeriesSamples] = []
            // Series join over time, so series records are spread through the log.
            for l in pool.prefix(min(pool.count, 1 + b / 2)) where l == lateOne || Bool.random(using: &rng) {
                var t = newest[l] ?? (l == series("neg") ? -10_000_000 : 1_000_000)
                var samples: [Sample] = []
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    // Whole seconds, so that the late samples below (half seconds) never collide.
                    t += Int64.random(in: 1...20, using: &rng) * 1000
                    let v = Int.random(in: 0..<10, using: &rng) == 0 ? StaleNaN.value : Double(Int.random(in: -50...50, using: &rng))
                    samples.append(Sample(t: t, v: v))
                }
                newest[l] = t
                if l == lateOne, b % 3 == 0 {
                    samples.append(Sample(t: t - 30_500, v: Double(b)))  // late
                }
                batch.append(SeriesSamples(labels: l, samples: samples))
            }
            let r = try head.append(batch)
            #expect(r.rejectedSamples == 0)
        }
        let out = try dump(head)
        #expect(head.storageStats().lateSamples > 0)
        try head.close()
        return out
    }

    @Test func reopenRestoresEverything() throws {
        let dir = try TempDir("wal-reopen")
        defer { dir.remove() }
        let before = try fill(dir.path)
        #expect(before.count == 5)

        let capture = LogCapture()
        let head = try Head(directory: dir.path, options: bigSegments, logger: capture.logger)
        #expect(try dump(head) == before)
        #expect(head.stats.series == 5)
        #expect(head.storageStats().lateSamples > 0)
        let rs = head.replayStats
        #expect(rs.records > 0)
        #expect(rs.truncatedSegments.isEmpty)
        #expect(rs.bytesTruncated == 0)
        #expect(capture.count(atLeast: .warning) == 0)
        #expect(capture.all.contains { $0.message == "replayed WAL" })

        // The replayed state is live: duplicates, conflicts and the late window work
        // against it, existing series are reused and new ones get fresh refs.
        let up = series("up", ["job": "node"])
        let last = try #require(before[up]?.last)
        let dup = try head.append([SeriesSamples(labels: up, samples: [last])])
        #expect(dup.duplicates == 1)
        #expect(dup.appended == 0)
        let conflict = try head.append([entry(up, [(last.t, 1e9)])])
        #expect(conflict.rejectedSamples == 1)
        #expect(conflict.rejections.first?.reason.kind == "duplicate_conflict")
        let old = try head.append([entry(up, [(last.t - 16 * 60_000, 1)])])
        #expect(old.rejections.first?.reason == .tooOld(minValid: last.t - 15 * 60_000))
        let fresh = series("fresh")
        _ = try head.append([entry(up, [(last.t + 1, 1)]), entry(fresh, [(5, 5)])])
        #expect(head.stats.seriesCreated == 1)
        let refs = Set(head.series([]).compactMap { memSeries(head, $0)?.ref })
        #expect(refs.count == 6)
        var after = before
        after[up, default: []].append(Sample(t: last.t + 1, v: 1))
        after[fresh] = [Sample(t: 5, v: 5)]
        #expect(try dump(head) == after)
        try head.close()

        let third = try Head(directory: dir.path, options: bigSegments, logger: testLogger)
        #expect(try dump(third) == after)
        #expect(third.replayStats.truncatedSegments.isEmpty)
    }

    @Test func memoryOnlyHeadWritesNothing() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        _ = try head.append([entry(series("m"), [(1, 1)])])
        #expect(head.stats.walBytesWritten == 0)
        #expect(head.replayStats == WALReplay.Stats())
        try head.close()
    }

    // MARK: Torn and damaged tails

    /// A WAL of one segment and its frames.
    private func sourceSegment() throws -> (bytes: [UInt8], frames: [(range: Range<Int>, record: WALRecord)], data: [Labels: [Sample]]) {
        let src = try TempDir("wal-src")
        defer { src.remove() }
        let data = try fill(src.path, seed: 3, batches: 24)
        #expect(try WALFiles.segments(src.path) == [1])
        let bytes = try WALFiles.read(WALFiles.path(src.path, 1))
        let frames = WALFiles.frames(bytes)
        #expect(frames.last?.range.upperBound == bytes.count)
        #expect(WALFiles.fold(frames.map(\.record)) == data)
        return (bytes, frames, data)
    }

    /// Opens a head on a WAL whose only segment holds `bytes`; checks it keeps
    /// exactly `expectedRecords` and repaired (or not) as told, then that a second
    /// open is clean.
    private func checkRecovery(
        _ bytes: [UInt8], expectedRecords: [WALRecord], goodEnd: Int?, context: String
    ) throws {
        let dir = try TempDir("wal-torn")
        defer { dir.remove() }
        let seg = WALFiles.path(dir.path, 1)
        try WALFiles.write(bytes, to: seg)
        let capture = LogCapture()
        let head = try Head(directory: dir.path, options: bigSegments, logger: capture.logger)
        let expected = WALFiles.fold(expectedRecords)
        #expect(try dump(head) == expected, "\(context)")
        let rs = head.replayStats
        #expect(rs.records == expectedRecords.count, "\(context)")
        if let goodEnd {
            #expect(rs.truncatedSegments == [1], "\(context)")
            #expect(rs.bytesTruncated == bytes.count - goodEnd, "\(context)")
            #expect(try WALFiles.read(seg).count == goodEnd, "\(context)")
            #expect(try WALFiles.read(seg) == Array(bytes[0..<goodEnd]), "\(context)")
            let warnings = capture.all.filter { $0.level == .warning }
            #expect(warnings.count == 1, "\(context)")
            #expect(warnings.first?.metadata["offset"] == "\(goodEnd)", "\(context)")
        } else {
            #expect(rs.truncatedSegments.isEmpty, "\(context)")
            #expect(rs.bytesTruncated == 0, "\(context)")
            #expect(try WALFiles.read(seg) == bytes, "\(context)")
            #expect(capture.count(atLeast: .warning) == 0, "\(context)")
        }
        // New appends after recovery go to a new segment and survive.
        let extra = series("after_recovery")
        _ = try head.append([entry(extra, [(1, 1)])])
        try head.close()

        let capture2 = LogCapture()
        let again = try Head(directory: dir.path, options: bigSegments, logger: capture2.logger)
        var expected2 = expected
        expected2[extra] = [Sample(t: 1, v: 1)]
        #expect(try dump(again) == expected2, "\(context): second open")
        #expect(again.replayStats.truncatedSegments.isEmpty, "\(context): second open")
        #expect(again.replayStats.bytesTruncated == 0, "\(context): second open")
        #expect(capture2.count(atLeast: .warning) == 0, "\(context): second open")
        try again.close()
    }

    @Test func tornTailAtEveryOffset() throws {
        let (bytes, frames, _) = try sourceSegment()
        try #require(frames.count > 10)
        // Every offset within the last three records, and within the header.
        let from = frames[frames.count - 3].range.lowerBound
        var cuts = Array(0...WALSegment.headerSize + 1) + Array(from...bytes.count)
        cuts += frames.prefix(4).map(\.range.upperBound)  // some record boundaries early on
        for cut in cuts {
            let keep = frames.filter { $0.range.upperBound <= cut }
            let end = keep.last?.range.upperBound ?? (cut >= WALSegment.headerSize ? WALSegment.headerSize : 0)
            try checkRecovery(
                Array(bytes[0..<cut]), expectedRecords: keep.map(\.record), goodEnd: end == cut ? nil : end,
                context: "cut at \(cut) of \(bytes.count)")
        }
    }

    @Test func flippedByteInTheLastRecord() throws {
        let (bytes, frames, _) = try sourceSegment()
        let lastFrame = try #require(frames.last)
        for i in lastFrame.range {
            // Whole bytes and single bits, by turns.
            for mask: UInt8 in [i % 2 == 0 ? 0xff : 0x01] {
                var damaged = bytes
                damaged[i] ^= mask
                try checkRecovery(
                    damaged, expectedRecords: frames.dropLast().map(\.record), goodEnd: lastFrame.range.lowerBound,
                    context: "byte \(i) ^ \(mask)")
            }
        }
    }

    @Test func flippedByteInAnEarlierRecordEndsTheSegmentThere() throws {
        let (bytes, frames, _) = try sourceSegment()
        let k = frames.count / 2
        var damaged = bytes
        damaged[frames[k].range.lowerBound + WALSegment.frameSize] ^= 0x40
        try checkRecovery(
            damaged, expectedRecords: frames.prefix(k).map(\.record), goodEnd: frames[k].range.lowerBound, context: "record \(k)")
    }

    @Test func zeroFilledAndGarbageTails() throws {
        let (bytes, frames, _) = try sourceSegment()
        var rng = SeededRandom(seed: 5)
        let garbage = (0..<100).map { _ in UInt8.random(in: 1...255, using: &rng) }
        for tail in [[UInt8](repeating: 0, count: 4096), [0], garbage, [2, 0, 0, 0, 5, 0, 0, 0, 0, 1, 2, 3, 4, 5]] {
            try checkRecovery(
                bytes + tail, expectedRecords: frames.map(\.record), goodEnd: bytes.count, context: "tail of \(tail.count)")
        }
    }

    @Test func readOnlyOpenRepairsNothing() throws {
        let (bytes, frames, _) = try sourceSegment()
        let dir = try TempDir("wal-ro")
        defer { dir.remove() }
        let cut = bytes.count - 3
        try WALFiles.write(Array(bytes[0..<cut]), to: WALFiles.path(dir.path, 1))
        let head = try Head(directory: dir.path, options: bigSegments, logger: testLogger, readOnly: true)
        #expect(try dump(head) == WALFiles.fold(frames.dropLast().map(\.record)))
        #expect(head.replayStats.truncatedSegments.isEmpty)
        #expect(try WALFiles.read(WALFiles.path(dir.path, 1)).count == cut)
        #expect(try WALFiles.segments(dir.path) == [1])
    }

    // MARK: Many segments

    private func manySegments(_ dir: String) throws -> (data: [Labels: [Sample]], segments: [Int]) {
        let opts = testOptions { $0.wal = WALOptions(segmentSize: 256, sync: .never) }
        let head = try Head(directory: dir, options: opts, logger: testLogger)
        let labels = (0..<4).map { series("m", ["i": "\($0)"]) }
        _ = try head.append(labels.map { entry($0, [(0, 0)]) })
        for k in 1...80 {
            _ = try head.append(labels.map { entry($0, [(Int64(k) * 1000, Double(k))]) })
        }
        let data = try dump(head)
        try head.close()
        let segments = try WALFiles.segments(dir)
        try #require(segments.count >= 10)
        for s in segments {
            // Rotation keeps segments near the size asked for (one record may overshoot).
            #expect(try WALFiles.read(WALFiles.path(dir, s)).count <= 256 + 128)
        }
        return (data, segments)
    }

    @Test func manySegmentsRoundTrip() throws {
        let dir = try TempDir("wal-many")
        defer { dir.remove() }
        let (data, segments) = try manySegments(dir.path)
        #expect(sampleCount(data) == 4 * 81)
        let head = try Head(directory: dir.path, options: bigSegments, logger: testLogger)
        #expect(try dump(head) == data)
        #expect(head.replayStats.segments == segments.count + 1)  // and the new, empty one
    }

    @Test func corruptionInAMiddleSegmentKeepsLaterSegments() throws {
        for damage in ["flip", "truncate"] {
            let dir = try TempDir("wal-middle")
            defer { dir.remove() }
            let (data, segments) = try manySegments(dir.path)
            let victim = segments[segments.count / 2]
            let path = WALFiles.path(dir.path, victim)
            let bytes = try WALFiles.read(path)
            let frames = WALFiles.frames(bytes)
            try #require(frames.count >= 2)
            let k = frames.count / 2
            let hit = frames[k]
            switch damage {
            case "flip":
                var damaged = bytes
                damaged[hit.range.lowerBound + WALSegment.frameSize + 2] ^= 0x10
                try WALFiles.write(damaged, to: path)
            default:
                try WALFiles.write(Array(bytes[0..<hit.range.upperBound - 1]), to: path)
            }
            var lost = Set<Sample>()
            for f in frames[k...] {
                guard case .samples(let list) = f.record else { continue }
                for s in list { lost.insert(Sample(t: s.t, v: s.v)) }
            }
            #expect(!lost.isEmpty)
            var expected: [Labels: [Sample]] = [:]
            for (l, samples) in data { expected[l] = samples.filter { !lost.contains($0) } }

            let capture = LogCapture()
            let head = try Head(directory: dir.path, options: bigSegments, logger: capture.logger)
            let got = try dump(head)
            #expect(got == expected, "\(damage)")
            // The newest samples live in the last segment, well after the damage.
            #expect(got.values.allSatisfy { $0.last?.t == 80_000 }, "\(damage)")
            #expect(head.replayStats.truncatedSegments == [victim], "\(damage)")
            #expect(capture.all.filter { $0.level == .warning }.count == 1)
            try head.close()

            let again = try Head(directory: dir.path, options: bigSegments, logger: testLogger)
            #expect(try dump(again) == expected, "\(damage): second open")
            #expect(again.replayStats.truncatedSegments.isEmpty, "\(damage): second open")
            try again.close()
        }
    }

    // MARK: Sync policies

    @Test(arguments: [
        WALSyncPolicy.everyBatch, .interval(milliseconds: 0), .interval(milliseconds: 3_600_000), .never,
    ])
    func syncPoliciesRoundTrip(policy: WALSyncPolicy) throws {
        let dir = try TempDir("wal-sync")
        defer { dir.remove() }
        let opts = testOptions { $0.wal = WALOptions(sync: policy) }
        let head = try Head(directory: dir.path, options: opts, logger: testLogger)
        let batches = 5
        for i in 0..<batches {
            _ = try head.append([entry(series("m", ["p": "\(i % 2)"]), [(Int64(i) * 1000, Double(i))])])
        }
        let written = head.stats.walBytesWritten
        #expect(written > 0)
        let syncs = head.stats.walSyncs
        switch policy {
        case .everyBatch: #expect(syncs >= batches)
        case .interval(let ms) where ms == 0: #expect(syncs >= batches)
        default: #expect(syncs == 0)
        }
        // A timer tick syncs only what the interval policy says is due.
        try head.syncWALIfDue()
        switch policy {
        case .interval(let ms) where ms == 0: #expect(head.stats.walSyncs == syncs)  // nothing dirty
        case .interval: #expect(head.stats.walSyncs == syncs)  // not due for an hour
        case .never: #expect(head.stats.walSyncs == 0, "the never policy syncs only when a segment is closed")
        case .everyBatch: #expect(head.stats.walSyncs == syncs)
        }
        let data = try dump(head)
        try head.close()
        let again = try Head(directory: dir.path, options: opts, logger: testLogger)
        #expect(try dump(again) == data)
        #expect(sampleCount(data) == batches)
    }

    @Test func writesAfterCloseFail() throws {
        let dir = try TempDir("wal-closed")
        defer { dir.remove() }
        let head = try Head(directory: dir.path, options: bigSegments, logger: testLogger)
        _ = try head.append([entry(series("m"), [(1, 1)])])
        try head.close()
        #expect(throws: FileIOError.self) { try head.append([entry(series("m"), [(2, 2)])]) }
    }

    // MARK: Foreign and future segments

    /// A valid, self-contained segment (series records and their samples).
    private func validSegment() throws -> (bytes: [UInt8], data: [Labels: [Sample]]) {
        let src = try TempDir("wal-src")
        defer { src.remove() }
        let data = try fill(src.path, seed: 9, batches: 10)
        return (try WALFiles.read(WALFiles.path(src.path, 1)), data)
    }

    @Test func unreadableSegmentHeadersAreLeftAlone() throws {
        let (good, data) = try validSegment()
        var future = good
        future[4] = 2  // a version this build does not read
        var foreign = good
        foreign.replaceSubrange(0..<4, with: Array("JUNK".utf8))
        for (name, first) in [("future version", future), ("bad magic", foreign), ("zeros", [UInt8](repeating: 0, count: 64))] {
            let dir = try TempDir("wal-foreign")
            defer { dir.remove() }
            try WALFiles.write(first, to: WALFiles.path(dir.path, 1))
            try WALFiles.write(good, to: WALFiles.path(dir.path, 2))
            // Files that are not segments are ignored.
            try WALFiles.write([1, 2, 3], to: dir.path + "/notes.txt")
            try WALFiles.write([1, 2, 3], to: dir.path + "/123")
            let capture = LogCapture()
            let head = try Head(directory: dir.path, options: bigSegments, logger: capture.logger)
            #expect(try dump(head) == data, "\(name)")
            #expect(capture.count(atLeast: .error) == 1, "\(name): reported")
            // Not ours to cut: a newer version could read it; a person may want it.
            #expect(try WALFiles.read(WALFiles.path(dir.path, 1)) == first, "\(name): left as it was")
            #expect(head.replayStats.truncatedSegments.isEmpty, "\(name)")
            try head.close()
            // And the next start sees the same.
            let again = try Head(directory: dir.path, options: bigSegments, logger: testLogger)
            #expect(try dump(again) == data, "\(name)")
        }
    }

    @Test func tornSegmentHeaderIsRepaired() throws {
        let (good, data) = try validSegment()
        let dir = try TempDir("wal-torn-header")
        defer { dir.remove() }
        try WALFiles.write(Array(good[0..<5]), to: WALFiles.path(dir.path, 2))
        try WALFiles.write(good, to: WALFiles.path(dir.path, 1))
        let head = try Head(directory: dir.path, options: bigSegments, logger: testLogger)
        #expect(try dump(head) == data)
        #expect(head.replayStats.truncatedSegments == [2])
        #expect(try WALFiles.read(WALFiles.path(dir.path, 2)).isEmpty)
    }

    // MARK: Record encoding

    @Test func recordsRoundTripThroughFrames() throws {
        var rng = SeededRandom(seed: 11)
        var records: [WALRecord] = []
        for _ in 0..<200 {
            if Bool.random(using: &rng) {
                let list = (0..<Int.random(in: 0...5, using: &rng)).map { i -> (ref: SeriesRef, labels: Labels) in
                    let ref = SeriesRef.random(in: 0...UInt64.max, using: &rng)
                    let l = series("m\(i)", ["v": String(repeating: "é\n\"", count: Int.random(in: 1...40, using: &rng))])
                    return (ref, l)
                }
                records.append(.series(list))
            } else {
                let list = (0..<Int.random(in: 0...20, using: &rng)).map { _ in
                    RefSample(
                        ref: SeriesRef.random(in: 0...1000, using: &rng), t: Int64.random(in: .min ... .max, using: &rng),
                        v: Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng)))
                }
                records.append(.samples(list))
            }
        }
        var buf = WALSegment.header
        for r in records { WALSegment.frame(r, into: &buf) }
        var back: [WALRecord] = []
        let (end, corruption) = WALSegment.read(buf) { back.append($0) }
        #expect(back == records)
        #expect(end == buf.count)
        #expect(corruption == nil)

        // Random damage: never a crash, and what is read is a prefix of what was written.
        for _ in 0..<300 {
            var damaged = buf
            let i = Int.random(in: 0..<damaged.count, using: &rng)
            damaged[i] ^= UInt8.random(in: 1...255, using: &rng)
            if Bool.random(using: &rng) { damaged.removeLast(Int.random(in: 0..<min(200, damaged.count), using: &rng)) }
            var got: [WALRecord] = []
            let (goodEnd, _) = WALSegment.read(damaged) { got.append($0) }
            #expect(goodEnd <= damaged.count)
            #expect(Array(records.prefix(got.count)) == got)
        }
        for n in [0, 1, 7, 8, 9, 20, 300] {
            let junk = WALSegment.header + (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let (goodEnd, _) = WALSegment.read(junk) { _ in }
            #expect(goodEnd <= junk.count)
        }
    }
}
