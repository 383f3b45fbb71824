import Synchronization
import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

@Suite struct LateSampleTests {
    let window: Int64 = 15 * 60 * 1000

    @Test func defaultWindowIsFifteenMinutes() {
        #expect(HeadOptions().lateWindow == window)
    }

    @Test func lateSamplesWithinTheWindowAreMergedInTimeOrder() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m", ["job": "x"])
        let base: Int64 = 10_000_000
        // In-order samples every 10 s over 50 minutes: several closed chunks.
        let inOrder = (0..<300).map { Sample(t: base + Int64($0) * 10_000, v: Double($0)) }
        #expect(try head.append([SeriesSamples(labels: l, samples: inOrder)]).appended == 300)
        let newest = inOrder[299].t
        // Late ones in the gaps, inside closed chunks' spans and the open chunk's, in
        // shuffled order.
        var rng = SeededRandom(seed: 7)
        var late = (0..<299).filter { inOrder[$0].t >= newest - window }.map { Sample(t: inOrder[$0].t + 5_000, v: -Double($0)) }
        late.shuffle(using: &rng)
        #expect(late.count == 90)
        let r = try head.append([SeriesSamples(labels: l, samples: late)])
        #expect(r.appended == late.count)
        #expect(r.rejectedSamples == 0)

        let expected = (inOrder + late).sorted { $0.t < $1.t }
        #expect(try head.select([], mint: .min, maxt: .max) == [SeriesSamples(labels: l, samples: expected)])
        // A range cut through both kinds.
        let lo = newest - window / 2
        let hi = newest - 1_000
        #expect(try head.select([], mint: lo, maxt: hi).first?.samples == expected.filter { $0.t >= lo && $0.t <= hi })
        // A range holding only late samples.
        let only = try #require(late.first)
        #expect(try head.select([], mint: only.t, maxt: only.t).first?.samples == [only])

        let st = head.storageStats()
        #expect(st.lateSamples == late.count)
        #expect(st.samples == expected.count)
        #expect(head.stats.samplesAppended == expected.count)
    }

    @Test func unsortedBatchIsSortedOut() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        let r = try head.append([entry(l, [(5000, 5), (1000, 1), (3000, 3), (5000, 5), (2000, 2)])])
        #expect(r.appended == 4)
        #expect(r.duplicates == 1)
        #expect(try head.select([], mint: .min, maxt: .max).first?.samples.map(\.t) == [1000, 2000, 3000, 5000])
    }

    @Test func tooOldSamplesAreRejectedAndReported() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("http_requests_total", ["code": "200"])
        let other = series("other")
        let newest: Int64 = 50_000_000
        _ = try head.append([entry(l, [(newest, 1)]), entry(other, [(1_000, 1)])])
        let minValid = newest - window
        let r = try head.append([
            entry(l, [(minValid - 1, 2), (minValid, 3), (0, 4)]),
            // The window is per series: `other`'s newest is far behind `l`'s.
            entry(other, [(500, 0.5)]),
        ])
        #expect(r.appended == 2)
        #expect(r.rejectedSamples == 2)
        #expect(
            r.rejections == [
                Rejection(labels: l, timestamp: minValid - 1, reason: .tooOld(minValid: minValid)),
                Rejection(labels: l, timestamp: 0, reason: .tooOld(minValid: minValid)),
            ])
        let firstRejection = try #require(r.rejections.first)
        let text = firstRejection.description
        #expect(text.contains("http_requests_total"))
        #expect(text.contains("\(minValid - 1)"))
        #expect(text.contains("\(minValid)"))
        #expect(firstRejection.reason.kind == "too_old")
        #expect(head.stats.rejected["too_old"] == 2)
        #expect(head.stats.samplesAppended == 4)
        #expect(try dump(head)[l] == [Sample(t: minValid, v: 3), Sample(t: newest, v: 1)])
        #expect(try dump(head)[other] == [Sample(t: 500, v: 0.5), Sample(t: 1000, v: 1)])
    }

    @Test func windowIsConfigurable() throws {
        let head = try Head(directory: nil, options: testOptions { $0.lateWindow = 0 }, logger: testLogger)
        let l = series("m")
        _ = try head.append([entry(l, [(1000, 1)])])
        let r = try head.append([entry(l, [(999, 1)])])
        #expect(r.rejections.map(\.reason) == [.tooOld(minValid: 1000)])
    }

    @Test func duplicatesAndConflictsOfTheNewestSample() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        _ = try head.append([entry(l, [(1000, 1), (2000, 2)])])
        let dup = try head.append([entry(l, [(2000, 2)])])
        #expect(dup.appended == 0)
        #expect(dup.duplicates == 1)
        #expect(dup.rejectedSamples == 0)
        let conflict = try head.append([entry(l, [(2000, 3)])])
        #expect(conflict.rejections == [Rejection(labels: l, timestamp: 2000, reason: .duplicateConflict(existing: 2, new: 3))])
        let conflictRejection = try #require(conflict.rejections.first)
        #expect(conflictRejection.reason.kind == "duplicate_conflict")
        // Zero and negative zero differ in bits.
        _ = try head.append([entry(l, [(3000, 0)])])
        let negZero = try head.append([entry(l, [(3000, -0.0)])])
        #expect(negZero.rejectedSamples == 1)
        #expect(head.stats.duplicates == 1)
        #expect(head.stats.rejected["duplicate_conflict"] == 2)
        #expect(try dump(head)[l] == [Sample(t: 1000, v: 1), Sample(t: 2000, v: 2), Sample(t: 3000, v: 0)])
    }

    @Test func duplicatesAndConflictsInsideClosedChunks() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        let samples = (0..<300).map { Sample(t: 1_000_000 + Int64($0) * 1000, v: Double($0) * 1.5) }
        _ = try head.append([SeriesSamples(labels: l, samples: samples)])
        let closed = try #require(memSeries(head, l)).data.withLock { $0.closed.count }
        #expect(closed == 2)
        // A sample in the first closed chunk, the second, the open one; the first
        // and last of a chunk (its boundaries).
        for i in [0, 5, 119, 120, 200, 239, 240, 298] {
            let s = samples[i]
            let same = try head.append([SeriesSamples(labels: l, samples: [s])])
            #expect(same.duplicates == 1, "index \(i)")
            #expect(same.appended == 0)
            let other = try head.append([entry(l, [(s.t, s.v + 1)])])
            #expect(
                other.rejections == [Rejection(labels: l, timestamp: s.t, reason: .duplicateConflict(existing: s.v, new: s.v + 1))],
                "index \(i)")
        }
        #expect(try dump(head)[l] == samples)
        #expect(head.stats.duplicates == 8)
        #expect(head.stats.rejected["duplicate_conflict"] == 8)
        #expect(head.storageStats().lateSamples == 0)
    }

    @Test func duplicatesAndConflictsOfLateSamples() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        _ = try head.append([entry(l, [(100_000, 1), (200_000, 2)])])
        #expect(try head.append([entry(l, [(150_000, 1.5)])]).appended == 1)
        let dup = try head.append([entry(l, [(150_000, 1.5)])])
        #expect(dup.duplicates == 1)
        #expect(dup.appended == 0)
        let conflict = try head.append([entry(l, [(150_000, 7)])])
        #expect(conflict.rejections.map(\.reason) == [.duplicateConflict(existing: 1.5, new: 7)])
        // The same late sample twice in one batch: stored once.
        let twice = try head.append([entry(l, [(120_000, 1.2), (120_000, 1.2)])])
        #expect(twice.appended == 1)
        #expect(twice.duplicates == 1)
        #expect(
            try dump(head)[l] == [
                Sample(t: 100_000, v: 1), Sample(t: 120_000, v: 1.2), Sample(t: 150_000, v: 1.5), Sample(t: 200_000, v: 2),
            ])
        #expect(head.storageStats().lateSamples == 2)
        #expect(head.stats.duplicates == 2)
    }

    @Test func nanPayloadsCompareByBits() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        let otherNaN = Double.nan
        #expect(otherNaN.bitPattern != StaleNaN.bits)
        // A stale marker at the newest timestamp, in a closed chunk and as a late sample.
        var samples = (0..<130).map { Sample(t: Int64($0) * 1000, v: Double($0)) }
        samples[10].v = StaleNaN.value
        samples[129].v = StaleNaN.value
        _ = try head.append([SeriesSamples(labels: l, samples: samples)])
        _ = try head.append([entry(l, [(125_500, StaleNaN.value)])])  // late
        for t: Int64 in [10_000, 129_000, 125_500] {
            let again = try head.append([entry(l, [(t, StaleNaN.value)])])
            #expect(again.duplicates == 1, "t=\(t)")
            let nan = try head.append([entry(l, [(t, otherNaN)])])
            #expect(nan.rejectedSamples == 1, "t=\(t)")
            guard case .duplicateConflict(let existing, let new)? = nan.rejections.first?.reason else {
                Issue.record("expected a conflict at t=\(t), got \(nan.rejections)")
                continue
            }
            #expect(StaleNaN.isStale(existing))
            #expect(new.bitPattern == otherNaN.bitPattern)
        }
        // And the other way round: a plain NaN stored, a stale marker sent.
        let m = series("n")
        _ = try head.append([entry(m, [(1000, otherNaN)])])
        #expect(try head.append([entry(m, [(1000, otherNaN)])]).duplicates == 1)
        #expect(try head.append([entry(m, [(1000, StaleNaN.value)])]).rejectedSamples == 1)

        let got = try #require(try dump(head)[l])
        #expect(got.count == 131)
        #expect(got.filter { StaleNaN.isStale($0.v) }.map(\.t) == [10_000, 125_500, 129_000])
        #expect(head.stats.rejected["duplicate_conflict"] == 4)
    }

    @Test func lateSampleAtAnInOrderTimestampOfAnotherChunkKind() throws {
        // A late sample whose timestamp lies between the open chunk's first sample and
        // the newest one, but matches none: stored, not a conflict.
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        _ = try head.append([entry(l, [(0, 0), (10, 1), (20, 2)])])
        #expect(try head.append([entry(l, [(15, 1.5), (5, 0.5), (-5, -0.5)])]).appended == 3)
        #expect(try dump(head)[l]?.map(\.t) == [-5, 0, 5, 10, 15, 20])
    }
}
