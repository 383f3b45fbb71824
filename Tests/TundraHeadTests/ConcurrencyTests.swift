import Synchronization
import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

@Suite struct ConcurrencyTests {
    @Test func concurrentAppendersAndReaders() async throws {
        let dir = try TempDir("concurrency")
        defer { dir.remove() }
        let options = testOptions { $0.wal = WALOptions(segmentSize: 64 << 10, sync: .never) }
        let head = try Head(directory: dir.path, options: options, logger: testLogger)
        let writers = 8
        let rounds = 150
        let shared = (0..<4).map { series("shared", ["s": "\($0)"]) }
        let totals = Shared((appended: 0, duplicates: 0, rejected: 0))
        let readerFailures = Shared<[String]>([])
        let done = SharedCounter()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    let own = series("own", ["w": "\(w)"])
                    var rng = SeededRandom(seed: UInt64(w))
                    for i in 0..<rounds {
                        // Shared series get interleaved timestamps, so each writer's
                        // samples arrive late relative to the others'. Every writer also
                        // sends one sample all of them send (the same value): stored once.
                        var batch = shared.map { entry($0, [(Int64(i * writers + w), Double(w)), (Int64(i * writers), -1)]) }
                        batch.append(entry(own, [(Int64(i), Double(i))]))
                        // A new series every few rounds, created while others read.
                        if i % 25 == 0 { batch.append(entry(series("born", ["w": "\(w)", "i": "\(i)"]), [(1, 1)])) }
                        let r = try head.append(batch.shuffled(using: &rng))
                        totals.value.withLock {
                            $0.appended += r.appended
                            $0.duplicates += r.duplicates
                            $0.rejected += r.rejectedSamples
                        }
                    }
                    done.value.add(1, ordering: .relaxed)
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    // Readers: every view must be sorted, free of repeats, and only grow.
                    var seen: [Labels: Int] = [:]
                    repeat {
                        for s in try head.select([.equal("__name__", "shared")], mint: .min, maxt: .max) {
                            let ts = s.samples.map(\.t)
                            if zip(ts, ts.dropFirst()).contains(where: { $0 >= $1 }) {
                                readerFailures.value.withLock { $0.append("\(s.labels): not strictly increasing") }
                            }
                            if ts.count < seen[s.labels] ?? 0 {
                                readerFailures.value.withLock { $0.append("\(s.labels): shrank") }
                            }
                            seen[s.labels] = ts.count
                        }
                        _ = head.labelValues("w")
                        _ = head.series([try Matcher(.regexMatch, "w", "1|2")])
                        await Task.yield()
                    } while done.value.load(ordering: .relaxed) < writers
                }
            }
            try await group.waitForAll()
        }

        #expect(readerFailures.value.withLock { $0 }.isEmpty, "\(readerFailures.value.withLock { $0.prefix(5) })")
        var expected: [Labels: [Sample]] = [:]
        for l in shared {
            var samples: [Int64: Double] = [:]
            for i in 0..<rounds {
                for w in 0..<writers { samples[Int64(i * writers + w)] = Double(w) }
            }
            // t = i * writers is sent by writer 0 as its own (value 0) and by everyone
            // as the common sample (value -1): whoever came first won; read it back.
            expected[l] = samples.keys.sorted().map { Sample(t: $0, v: samples[$0] ?? 0) }
        }
        for w in 0..<writers {
            expected[series("own", ["w": "\(w)"])] = (0..<rounds).map { Sample(t: Int64($0), v: Double($0)) }
            for i in stride(from: 0, to: rounds, by: 25) {
                expected[series("born", ["w": "\(w)", "i": "\(i)"])] = [Sample(t: 1, v: 1)]
            }
        }
        var got = try dump(head)
        #expect(Set(got.keys) == Set(expected.keys))
        // Resolve the contested timestamps from what was stored, checking each is one of
        // the two values sent.
        for l in shared {
            guard var samples = got[l], let want = expected[l], samples.count == want.count else {
                Issue.record("\(l): \(got[l]?.count ?? -1) samples, expected \(expected[l]?.count ?? -1)")
                continue
            }
            for k in samples.indices where samples[k].t % Int64(writers) == 0 {
                #expect(samples[k].v == 0 || samples[k].v == -1)
                samples[k].v = 0
            }
            got[l] = samples
        }
        #expect(got == expected)

        let t = totals.value.withLock { $0 }
        let stored = sampleCount(expected)
        #expect(t.appended == stored)
        #expect(head.stats.samplesAppended == stored)
        #expect(head.stats.series == expected.count)
        #expect(head.stats.seriesCreated == expected.count)
        // Per shared series and round: 2 * writers samples sent to `writers` distinct
        // timestamps; the rest are duplicates, or conflicts of writer 0's value 0 and
        // everyone's -1 at the contested timestamp.
        #expect(t.duplicates + t.rejected == shared.count * rounds * writers)
        #expect(t.rejected >= shared.count * rounds)
        #expect(head.stats.rejected["duplicate_conflict"] == t.rejected)

        // The WAL recorded each sample once, whatever order it got them in.
        let before = try dump(head)
        try head.close()
        let reopened = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(reopened) == before)
        #expect(reopened.stats.series == expected.count)
    }

    @Test func concurrentCreationOfTheSameSeriesYieldsOne() async throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let tasks = 16
        let names = 40
        await withTaskGroup(of: AppendResult.self) { group in
            for k in 0..<tasks {
                group.addTask {
                    var total = AppendResult()
                    for n in 0..<names {
                        let l = series("new_\(n)", ["job": "same"])
                        // Each task its own sample, and one sample every task sends.
                        let r = (try? head.append([entry(l, [(Int64(1000 + k), Double(k)), (5000, 1)])])) ?? AppendResult()
                        total.appended += r.appended
                        total.duplicates += r.duplicates
                        total.rejectedSamples += r.rejectedSamples
                    }
                    return total
                }
            }
            var sum = AppendResult()
            for await r in group {
                sum.appended += r.appended
                sum.duplicates += r.duplicates
                sum.rejectedSamples += r.rejectedSamples
            }
            #expect(sum.appended == names * (tasks + 1))
            #expect(sum.duplicates == names * (tasks - 1))
            #expect(sum.rejectedSamples == 0)
        }
        #expect(head.stats.series == names)
        #expect(head.stats.seriesCreated == names)
        let all = try dump(head)
        #expect(all.count == names)
        for n in 0..<names {
            let l = series("new_\(n)", ["job": "same"])
            let want = (0..<tasks).map { Sample(t: Int64(1000 + $0), v: Double($0)) } + [Sample(t: 5000, v: 1)]
            #expect(all[l] == want)
            #expect(head.series([.equal("__name__", "new_\(n)")]).count == 1)
        }
        #expect(head.index.withLock { $0.postings.select([]) }.count == names)
    }

    @Test func appendsRacingTruncationAreNeverLost() async throws {
        let dir = try TempDir("concurrency-truncate")
        defer { dir.remove() }
        let options = testOptions { $0.wal = WALOptions(sync: .never) }
        let head = try Head(directory: dir.path, options: options, logger: testLogger)
        let rounds = 25
        let writers = 4
        let step: Int64 = 1000
        for round in 0..<rounds {
            let mint = Int64(round + 1) * step
            // Series that hold only samples about to be truncated away, so that
            // writers holding them race their removal and must create them anew.
            let victims = (0..<writers).map { series("victim", ["w": "\($0)"]) }
            _ = try head.append(victims.map { entry($0, [(mint - 1, 0)]) })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try head.truncate(before: mint) }
                for w in 0..<writers {
                    group.addTask {
                        let r = try head.append([entry(victims[w], [(mint + Int64(w), Double(round))])])
                        #expect(r.appended == 1, "round \(round) writer \(w): \(r.rejections)")
                    }
                }
                try await group.waitForAll()
            }
            // Each victim holds its new sample exactly once, in one series.
            for (w, l) in victims.enumerated() {
                let got = try head.select([.equal("__name__", "victim"), .equal("w", "\(w)")], mint: mint, maxt: .max)
                #expect(got.map(\.labels) == [l], "round \(round)")
                #expect(got.first?.samples.filter { $0.t == mint + Int64(w) } == [Sample(t: mint + Int64(w), v: Double(round))])
            }
            #expect(head.series([.equal("__name__", "victim")]).count == writers, "round \(round)")
        }
        let before = try dump(head)
        let floor = Int64(rounds) * step
        #expect(before.count == writers)
        #expect(before.values.allSatisfy { $0.allSatisfy { $0.t >= floor } }, "nothing older than the floor is kept")
        // What memory holds is what the checkpoint and the WAL after it hold.
        try head.close()
        let reopened = try Head(directory: dir.path, options: options, logger: testLogger)
        #expect(try dump(reopened) == before)
    }
}
