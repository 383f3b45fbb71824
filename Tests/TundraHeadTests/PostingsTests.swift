import Synchronization
import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

@Suite struct PostingsTests {
    private func randomList(_ rng: inout SeededRandom, max: UInt64 = 200) -> [SeriesRef] {
        var set = Set<SeriesRef>()
        for _ in 0..<Int.random(in: 0...60, using: &rng) { set.insert(SeriesRef.random(in: 1...max, using: &rng)) }
        return set.sorted()
    }

    @Test func listOperationsMatchSets() {
        var rng = SeededRandom(seed: 0xb0b)
        for _ in 0..<500 {
            let a = randomList(&rng)
            let b = randomList(&rng)
            #expect(SortedLists.intersect(a, b) == Set(a).intersection(b).sorted(), "seed \(rng.seed)")
            #expect(SortedLists.subtract(a, b) == Set(a).subtracting(b).sorted())
            #expect(SortedLists.merge(a, b) == Set(a).union(b).sorted())
            let lists = (0..<Int.random(in: 0...6, using: &rng)).map { _ in randomList(&rng) }
            #expect(SortedLists.union(lists) == lists.reduce(into: Set<SeriesRef>()) { $0.formUnion($1) }.sorted())
            var c = a
            let x = SeriesRef.random(in: 0...210, using: &rng)
            SortedLists.insert(x, into: &c)
            #expect(c == Set(a).union([x]).sorted())
            let gone = Set(b.prefix(10))
            c.removeAll { gone.contains($0) }
            #expect(c == Set(a).union([x]).subtracting(gone).sorted())
        }
        #expect(SortedLists.union([[SeriesRef]]()) == [])
        #expect(SortedLists.union([[], [], [3]]) == [3])
    }

    private static let names = ["__name__", "a", "b", "c"]
    private static let values = ["v1", "v2", "v3", "w1", "x\ny"]
    private static let patterns = ["", ".*", ".+", "v1", "v1|v2", "|v1", "v.*", ".*1", "x.y", "w1|", "(v|w)[13]", "nope"]

    private func randomLabels(_ rng: inout SeededRandom) -> Labels {
        var d: [String: String] = [:]
        for n in Self.names where Bool.random(using: &rng) || n == "__name__" {
            d[n] = Self.values.randomElement(using: &rng)
        }
        return Labels(d)
    }

    private func randomMatcher(_ rng: inout SeededRandom) throws -> Matcher {
        let name = (Self.names + ["zz"]).randomElement(using: &rng) ?? "a"
        let kinds: [Matcher.Kind] = [.equal, .notEqual, .regexMatch, .regexNoMatch]
        let kind = kinds.randomElement(using: &rng) ?? .equal
        let value: String
        switch kind {
        case .equal, .notEqual: value = (Self.values + [""]).randomElement(using: &rng) ?? ""
        case .regexMatch, .regexNoMatch: value = Self.patterns.randomElement(using: &rng) ?? ""
        }
        return try Matcher(kind, name, value)
    }

    /// Prometheus' semantics, spelled out: a series lacking the label has the value "".
    private func bruteForce(_ series: [SeriesRef: Labels], _ matchers: [Matcher]) -> [SeriesRef] {
        series.filter { _, l in matchers.allSatisfy { $0.matches(l[$0.name] ?? "") } }.keys.sorted()
    }

    @Test func indexSelectMatchesBruteForce() throws {
        var rng = SeededRandom(seed: 0x1de)
        var idx = PostingsIndex()
        var live: [SeriesRef: Labels] = [:]
        var nextRef: SeriesRef = 1
        for round in 0..<30 {
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                let l = randomLabels(&rng)
                idx.add(nextRef, l)
                live[nextRef] = l
                nextRef += 1
            }
            // Remove a random few, as truncation does.
            let victims = live.keys.shuffled(using: &rng).prefix(Int.random(in: 0...5, using: &rng))
            idx.remove(victims.compactMap { ref in live[ref].map { (ref, $0) } })
            for v in victims { live[v] = nil }

            #expect(idx.select([]) == live.keys.sorted(), "round \(round)")
            var names = Set<String>()
            var values: [String: Set<String>] = [:]
            for l in live.values {
                for p in l {
                    names.insert(p.name)
                    values[p.name, default: []].insert(p.value)
                }
            }
            #expect(idx.names == names.sorted(), "round \(round): removed series leave no names behind")
            for n in Self.names {
                #expect(idx.values(n) == (values[n] ?? []).sorted())
                #expect(idx.valueCount(n) == values[n]?.count ?? 0)
                for v in Self.values { #expect(idx.has(n, v) == (values[n]?.contains(v) ?? false)) }
            }
            for _ in 0..<40 {
                let matchers = try (0..<Int.random(in: 1...3, using: &rng)).map { _ in try randomMatcher(&rng) }
                #expect(idx.select(matchers) == bruteForce(live, matchers), "seed \(rng.seed) round \(round): \(matchers)")
            }
        }
    }

    @Test func headIndexForgetsTruncatedSeries() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        _ = try head.append([
            entry(series("old", ["pod": "p1", "only_old": "x"]), [(1000, 1)]),
            entry(series("kept", ["pod": "p2"]), [(1000, 1), (9000, 1)]),
        ])
        let st = try head.truncate(before: 5000)
        #expect(st.seriesRemoved == 1)
        #expect(st.samplesDropped == 2)
        #expect(try dump(head) == [series("kept", ["pod": "p2"]): [Sample(t: 9000, v: 1)]])
        #expect(head.labelNames() == ["__name__", "pod"])
        #expect(head.labelValues("pod") == ["p2"])
        #expect(head.labelValues("__name__") == ["kept"])
        #expect(head.series([.equal("pod", "p1")]).isEmpty)
        #expect(head.series([.notEqual("pod", "p2")]).isEmpty)
        #expect(head.stats.series == 1)
        #expect(head.stats.seriesRemoved == 1)
        #expect(head.index.withLock { $0.postings.select([]) }.count == 1)
    }
}

private extension Matcher {
    static func notEqual(_ name: String, _ value: String) -> Matcher {
        // `!=` cannot fail to compile.
        (try? Matcher(.notEqual, name, value)) ?? .equal(name, value)
    }
}
