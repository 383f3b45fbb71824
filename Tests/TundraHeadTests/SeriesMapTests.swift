import Synchronization
import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

/// Two label sets with the same hash must stay two series. FNV-1a collisions are
/// impractical to find, so the tests build `MemSeries` with a chosen hash.
@Suite struct SeriesMapTests {
    let a = series("m", ["x": "a"])
    let b = series("m", ["x": "b"])
    let c = series("m", ["x": "c"])

    @Test func collidingSeriesAreKeptApart() {
        for stripes in [1, 4] {
            let map = SeriesMap(stripes: stripes)
            let h: UInt64 = 0xdead_beef
            let sa = MemSeries(ref: 1, labels: a, hash: h)
            let sb = MemSeries(ref: 2, labels: b, hash: h)
            let sc = MemSeries(ref: 3, labels: c, hash: h)
            map.add(sa)
            #expect(map.get(b, hash: h) == nil)
            map.add(sb)
            map.add(sc)
            #expect(map.get(a, hash: h) === sa)
            #expect(map.get(b, hash: h) === sb)
            #expect(map.get(c, hash: h) === sc)
            #expect(map.get(series("m", ["x": "d"]), hash: h) == nil)
            #expect(map.get(a, hash: h &+ 1) == nil)
            #expect(map.get(ref: 2) === sb)
            var seen: [SeriesRef] = []
            map.forEach { seen.append($0.ref) }
            #expect(seen.sorted() == [1, 2, 3])

            // Removing the one found by hash promotes a colliding one.
            map.remove(sa)
            #expect(map.get(a, hash: h) == nil)
            #expect(map.get(ref: 1) == nil)
            #expect(map.get(b, hash: h) === sb)
            #expect(map.get(c, hash: h) === sc)
            // Removing one from the collision list leaves the others.
            map.remove(sc)
            #expect(map.get(b, hash: h) === sb)
            #expect(map.get(c, hash: h) == nil)
            map.add(sa)
            #expect(map.get(a, hash: h) === sa)
            #expect(map.get(b, hash: h) === sb)
            map.remove(sb)
            map.remove(sa)
            #expect(map.get(a, hash: h) == nil)
            #expect(map.get(b, hash: h) == nil)
            seen = []
            map.forEach { seen.append($0.ref) }
            #expect(seen.isEmpty)
            // Removing what is not there changes nothing.
            map.add(sc)
            map.remove(sb)
            #expect(map.get(c, hash: h) === sc)
        }
    }

    @Test func manyCollisionsInRandomOrder() {
        var rng = SeededRandom(seed: 99)
        let map = SeriesMap(stripes: 2)
        // Four hashes, 40 series: ten series a hash.
        var live: [SeriesRef: MemSeries] = [:]
        var all: [MemSeries] = []
        for i in 0..<40 {
            let s = MemSeries(ref: SeriesRef(i + 1), labels: series("m", ["i": "\(i)"]), hash: UInt64(i % 4) * 2)
            all.append(s)
        }
        for step in 0..<400 {
            let s = all[Int.random(in: 0..<all.count, using: &rng)]
            if live[s.ref] == nil {
                map.add(s)
                live[s.ref] = s
            } else {
                map.remove(s)
                live[s.ref] = nil
            }
            for t in all {
                let found = map.get(t.labels, hash: t.hash)
                if live[t.ref] != nil {
                    #expect(found === t, "step \(step): \(t.labels) not found")
                } else {
                    #expect(found == nil, "step \(step): removed \(t.labels) still found")
                }
                #expect((map.get(ref: t.ref) != nil) == (live[t.ref] != nil))
            }
        }
    }

    @Test func headNeverMergesSeriesWithTheSameHash() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        // Plant a series whose hash is `b`'s, as a collision would make it.
        let forged = head.index.withLock { idx -> MemSeries in
            let s = MemSeries(ref: idx.nextRef, labels: a, hash: b.stableHash)
            idx.nextRef += 1
            idx.postings.add(s.ref, a)
            head.series.add(s)
            return s
        }
        _ = forged.data.withLock { $0.append(Sample(t: 1, v: 1), headMinValid: .min, lateWindow: 0, options: head.options) }

        // `b` hashes to the forged series' slot but is another series.
        let r = try head.append([entry(b, [(1, 2), (2, 2)])])
        #expect(r.appended == 2)
        #expect(r.rejectedSamples == 0)
        let again = try head.append([entry(b, [(3, 3)])])
        #expect(again.appended == 1)
        #expect(head.series.get(b, hash: b.stableHash) !== forged)
        let got = try head.select([], mint: .min, maxt: .max)
        #expect(
            got == [
                SeriesSamples(labels: a, samples: [Sample(t: 1, v: 1)]),
                SeriesSamples(labels: b, samples: [Sample(t: 1, v: 2), Sample(t: 2, v: 2), Sample(t: 3, v: 3)]),
            ])
        #expect(head.stats.seriesCreated == 1)
    }
}
