import Testing
import TundraBlock
import TundraModel
import TundraTestSupport

/// `select` against a brute-force scan, with every matcher kind and Prometheus'
/// rule that a matcher accepting "" also accepts series without the label.
@Suite struct BlockSelectTests {
    static func matchers(_ rng: inout SeededRandom) throws -> [Matcher] {
        let names = ["__name__", "job", "env", "mode", "instance", "absent"]
        let values = ["api", "node", "prod", "idle", "up", "", "zürich", "host-1:9100", "missing"]
        let patterns = [".*", ".+", "api|db", "host-1.*", "p.*", "(idle|user)", "", "nothing", "z.rich", ".*_total"]
        var out: [Matcher] = []
        for _ in 0..<rng.int(in: 1...3) {
            let name = rng.pick(names)
            switch rng.int(in: 0...3) {
            case 0: out.append(try Matcher(.equal, name, rng.pick(values)))
            case 1: out.append(try Matcher(.notEqual, name, rng.pick(values)))
            case 2: out.append(try Matcher(.regexMatch, name, rng.pick(patterns)))
            default: out.append(try Matcher(.regexNoMatch, name, rng.pick(patterns)))
            }
        }
        return out
    }

    @Test(arguments: [UInt64(21), 22, 23])
    func everyMatcherKindAgreesWithABruteForceScan(_ seed: UInt64) throws {
        let dir = try TempDir("block-select")
        defer { dir.remove() }
        let series = try BlockFixtures.series(count: 250, seed: seed, maxSamples: 10)
        let meta = try BlockFixtures.write(series, to: dir.path)
        let block = try BlockReader(directory: dir.path + "/" + meta.ulid.description)
        var rng = SeededRandom(seed: seed &* 31)
        var kinds: Set<String> = []
        for _ in 0..<300 {
            let ms = try Self.matchers(&rng)
            for m in ms { kinds.insert(m.kind.rawValue) }
            let got = try block.select(matchers: ms).map(\.labels.description)
            let want = series.filter { s in ms.allSatisfy { $0.matches(s.labels[$0.name] ?? "") } }
                .sorted { ByteOrder.precedes($0.labels, $1.labels) }.map(\.labels.description)
            #expect(got == want, "seed \(seed): \(ms)")
        }
        #expect(kinds.count == 4)
    }
}
