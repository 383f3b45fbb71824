import Synchronization
import Testing
import TundraEncoding
import TundraModel
import TundraTestSupport

@testable import TundraHead

@Suite struct HeadAppendTests {
    @Test func appendAndSelectRoundTrip() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let a = series("up", ["job": "node", "instance": "a"])
        let b = series("up", ["job": "node", "instance": "b"])
        let c = series("load", ["job": "node", "instance": "a"])
        let r = try head.append([entry(a, [(1000, 1), (2000, 0)]), entry(b, [(1000, 1)]), entry(c, [(1500, 0.25)])])
        #expect(r == { var e = AppendResult(); e.appended = 4; return e }())

        let up = try head.select([.equal("__name__", "up")], mint: 0, maxt: 10_000)
        #expect(
            up == [
                SeriesSamples(labels: a, samples: [Sample(t: 1000, v: 1), Sample(t: 2000, v: 0)]),
                SeriesSamples(labels: b, samples: [Sample(t: 1000, v: 1)]),
            ])
        // The range is inclusive at both ends; series without samples in it are left out.
        #expect(try head.select([], mint: 2000, maxt: 2000) == [SeriesSamples(labels: a, samples: [Sample(t: 2000, v: 0)])])
        #expect(try head.select([], mint: 1001, maxt: 1499).isEmpty)
        #expect(try head.select([], mint: 3000, maxt: 1000).isEmpty)
        // Sorted by labels: load < up.
        #expect(try head.select([.equal("instance", "a")], mint: 0, maxt: 10_000).map(\.labels) == [c, a])

        let st = head.stats
        #expect(st.series == 3)
        #expect(st.seriesCreated == 3)
        #expect(st.samplesAppended == 4)
        #expect(st.rejected.values.allSatisfy { $0 == 0 })
        #expect(head.series([]) == [c, a, b])
    }

    @Test func valuesKeepTheirBits() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("weird")
        let values: [Double] = [
            0, -0.0, .infinity, -.infinity, .nan, StaleNaN.value, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -1e-300,
            Double(bitPattern: 0x7ff8_dead_beef_0001),
        ]
        let samples = values.enumerated().map { Sample(t: Int64($0.offset) * 1000 - 5000, v: $0.element) }
        _ = try head.append([SeriesSamples(labels: l, samples: samples)])
        let got = try head.select([], mint: .min, maxt: .max)
        #expect(got.count == 1)
        // Sample equality compares bit patterns.
        #expect(got.first?.samples == samples)
    }

    @Test func seriesIdentityIsTheFullLabelSet() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let base = series("m", ["a": "x", "b": "y"])
        let sets: [Labels] = [
            base,
            series("m", ["a": "x"]),  // subset
            series("m", ["a": "x", "b": "y", "c": "z"]),  // superset
            series("m", ["a": "y", "b": "x"]),  // values swapped between names
            series("m", ["a": "xb", "b": "y"]),
            series("m", ["ab": "x", "b": "y"]),
            series("m2", ["a": "x", "b": "y"]),  // other metric
        ]
        #expect(Set(sets).count == sets.count)
        for (i, l) in sets.enumerated() {
            let r = try head.append([entry(l, [(Int64(i), Double(i))])])
            #expect(r.appended == 1)
        }
        // The same set built other ways (other pair order, an empty value that is
        // no label at all) is the same series.
        let reordered = try Labels(validating: [Label("b", "y"), Label("__name__", "m"), Label("a", "x"), Label("c", "")])
        #expect(reordered == base)
        let r = try head.append([SeriesSamples(labels: reordered, samples: [Sample(t: 100, v: 100)])])
        #expect(r.appended == 1)

        #expect(head.stats.series == sets.count)
        let all = try dump(head)
        #expect(all.count == sets.count)
        #expect(all[base] == [Sample(t: 0, v: 0), Sample(t: 100, v: 100)])
        for (i, l) in sets.enumerated().dropFirst() {
            #expect(all[l] == [Sample(t: Int64(i), v: Double(i))], "\(l)")
        }
    }

    @Test func randomSeriesMatchAModel() throws {
        var rng = SeededRandom(seed: 0x5eed_0001)
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        var model: [Labels: [Sample]] = [:]
        var nextT: [Labels: Int64] = [:]
        for _ in 0..<200 {
            var batch: [SeriesSamples] = []
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let l = series(
                    "metric_\(Int.random(in: 0..<4, using: &rng))",
                    ["pod": "p\(Int.random(in: 0..<6, using: &rng))", "zone": ["a", "b", ""][Int.random(in: 0..<3, using: &rng)]])
                // At most one entry per series a batch keeps the expected order simple.
                if batch.contains(where: { $0.labels == l }) { continue }
                var t = nextT[l] ?? Int64.random(in: 0..<1000, using: &rng)
                var samples: [Sample] = []
                for _ in 0..<Int.random(in: 1...5, using: &rng) {
                    t += Int64.random(in: 1...30_000, using: &rng)
                    samples.append(Sample(t: t, v: Double(Int.random(in: -100...100, using: &rng)) / 4))
                }
                nextT[l] = t
                model[l, default: []] += samples
                batch.append(SeriesSamples(labels: l, samples: samples))
            }
            let r = try head.append(batch)
            #expect(r.appended == batch.reduce(0) { $0 + $1.samples.count }, "seed \(rng.seed)")
            #expect(r.rejectedSamples == 0)
        }
        #expect(try dump(head) == model, "seed \(rng.seed)")
        #expect(head.stats.series == model.count)
        #expect(head.storageStats().samples == sampleCount(model))
    }

    @Test func emptyEntriesCreateNothing() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let r = try head.append([SeriesSamples(labels: series("m"), samples: []), SeriesSamples(labels: Labels(), samples: [])])
        #expect(r == AppendResult())
        #expect(head.stats.series == 0)
        #expect(head.series([]).isEmpty)
        #expect(head.labelNames().isEmpty)
        #expect(try head.append([]) == AppendResult())
    }

    @Test func rejectionDetailIsCappedButCountIsNot() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        _ = try head.append([entry(l, [(10_000_000, 1)])])
        let old = (0..<250).map { (Int64($0), 1.0) }
        let r = try head.append([entry(l, old)])
        #expect(r.rejectedSamples == 250)
        #expect(r.rejections.count == AppendResult.maxReported)
        #expect(head.stats.rejected["too_old"] == 250)
    }

    // MARK: Chunks

    private func chunks(_ head: Head, _ l: Labels) -> (closed: [ClosedChunk], openCount: Int, openMinT: Int64) {
        guard let s = memSeries(head, l) else {
            Issue.record("series \(l) missing")
            return ([], 0, 0)
        }
        return s.data.withLock { ($0.closed, $0.open?.count ?? 0, $0.openMinT) }
    }

    @Test func chunksAreCutAt120Samples() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        let samples = (0..<1000).map { Sample(t: Int64($0) * 15_000, v: Double($0)) }
        // Appended in several batches of odd sizes: the cut does not depend on batching.
        var i = 0
        while i < samples.count {
            let n = min(37, samples.count - i)
            _ = try head.append([SeriesSamples(labels: l, samples: Array(samples[i..<i + n]))])
            i += n
        }
        let (closed, openCount, openMinT) = chunks(head, l)
        #expect(closed.count == 8)
        #expect(closed.allSatisfy { $0.chunk.count == 120 })
        #expect(openCount == 1000 - 8 * 120)
        #expect(openMinT == samples[960].t)
        for (k, c) in closed.enumerated() {
            #expect(c.minT == samples[k * 120].t)
            #expect(c.maxT == samples[k * 120 + 119].t)
            #expect(try c.chunk.samples() == Array(samples[k * 120..<(k + 1) * 120]))
        }
        #expect(head.storageStats().chunks == 9)
        #expect(try head.select([], mint: .min, maxt: .max).first?.samples == samples)
        // Ranges that start and end inside chunks.
        #expect(try head.select([], mint: samples[100].t, maxt: samples[500].t).first?.samples == Array(samples[100...500]))
    }

    @Test func samplesPerChunkIsConfigurable() throws {
        let head = try Head(directory: nil, options: testOptions { $0.samplesPerChunk = 7 }, logger: testLogger)
        let l = series("m")
        _ = try head.append([SeriesSamples(labels: l, samples: (0..<50).map { Sample(t: Int64($0), v: 1) })])
        let (closed, openCount, _) = chunks(head, l)
        #expect(closed.map(\.chunk.count) == Array(repeating: 7, count: 7))
        #expect(openCount == 1)
    }

    @Test(arguments: [Int64(0), Int64(-3 * 3_600_000 - 123)])
    func chunksNeverStraddleBlockBoundaries(start: Int64) throws {
        let range: Int64 = 2 * 3_600_000
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let l = series("m")
        // 100 s apart: 72 samples a block range, fewer than 120, so only the
        // boundaries cut; then a gap that skips a whole range.
        var ts = Array(stride(from: start, to: start + 5 * 3_600_000, by: 100_000))
        ts += Array(stride(from: start + 9 * 3_600_000, to: start + 10 * 3_600_000, by: 100_000))
        _ = try head.append([SeriesSamples(labels: l, samples: ts.map { Sample(t: $0, v: Double($0)) })])
        let (closed, openCount, openMinT) = chunks(head, l)
        func block(_ t: Int64) -> Int64 { t >= 0 ? t / range : (t - range + 1) / range }
        var spans = closed.map { ($0.minT, $0.maxT) }
        spans.append((openMinT, ts.last ?? 0))
        for (lo, hi) in spans {
            #expect(block(lo) == block(hi), "chunk [\(lo), \(hi)] straddles a block boundary")
        }
        // One chunk per block range touched, each starting at the range's first sample.
        let blocks = Set(ts.map(block))
        #expect(spans.count == blocks.count)
        for (lo, _) in spans {
            #expect(ts.first { block($0) == block(lo) } == lo)
        }
        #expect(closed.reduce(0) { $0 + $1.chunk.count } + openCount == ts.count)
        #expect(try head.select([], mint: .min, maxt: .max).first?.samples.map(\.t) == ts)
    }

    @Test func bytesPerSampleAreSane() throws {
        var rng = SeededRandom(seed: 42)
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let n = 1200
        let constant = (0..<n).map { Sample(t: Int64($0) * 15_000, v: 1) }
        var counter = 0.0
        let counterLike = (0..<n).map { i -> Sample in
            counter += Double(Int.random(in: 0...10, using: &rng))
            return Sample(t: Int64(i) * 15_000 + Int64.random(in: 0...20, using: &rng), v: counter)
        }
        let noise = (0..<n).map { Sample(t: Int64($0) * 15_000, v: Double.random(in: 0..<1, using: &rng)) }
        _ = try head.append([
            SeriesSamples(labels: series("constant"), samples: constant),
            SeriesSamples(labels: series("counter"), samples: counterLike),
            SeriesSamples(labels: series("noise"), samples: noise),
        ])
        func bps(_ name: String) throws -> Double {
            let h = try Head(directory: nil, options: testOptions(), logger: testLogger)
            let s = try #require(try head.select([.equal("__name__", name)], mint: .min, maxt: .max).first)
            _ = try h.append([s])
            let st = h.storageStats()
            #expect(st.samples == n)
            return st.bytesPerSample
        }
        let c = try bps("constant")
        let k = try bps("counter")
        let z = try bps("noise")
        #expect(c > 0 && c < 0.5, "constant: \(c) bytes/sample")
        #expect(k > c && k < 4, "counter: \(k) bytes/sample")
        #expect(z > k && z < 10, "noise: \(z) bytes/sample")
        let all = head.storageStats()
        #expect(all.samples == 3 * n)
        #expect(all.series == 3)
        #expect(all.chunks == 3 * 10)
        #expect(all.lateSamples == 0)
    }
}
