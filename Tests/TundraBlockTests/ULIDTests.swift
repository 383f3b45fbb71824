import Testing
import TundraBlock
import TundraTestSupport

@Suite struct ULIDTests {
    @Test func textFormRoundTripsAndSortsLikeTheValue() throws {
        var rng = SeededRandom(seed: 7)
        var ids: [ULID] = []
        for _ in 0..<500 {
            let id = ULID(milliseconds: rng.next() >> 16, using: &rng)
            let text = id.description
            #expect(text.count == 26)
            #expect(try ULID(parsing: text) == id)
            #expect(try ULID(parsing: text.lowercased()) == id)
            ids.append(id)
        }
        // Sorting names sorts blocks: the property block folders rely on.
        #expect(ids.sorted().map(\.description) == ids.map(\.description).sorted())
    }

    @Test func timeIsTheFirstTenCharacters() throws {
        #expect(ULID(high: 0, low: 0).description == "00000000000000000000000000")
        #expect(ULID(high: 1 << 16, low: 0).description == "00000000010000000000000000")
        #expect(ULID(high: .max, low: .max).description == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        let id = ULID(milliseconds: 1_700_000_000_123)
        #expect(id.milliseconds == 1_700_000_000_123)
        #expect(try ULID(parsing: "01HF7YAT00" + "0000000000000000").milliseconds == 1_700_000_000_000)
    }

    @Test(arguments: ["", "0000000000000000000000000", "80000000000000000000000000", "0000000000000000000000000U", "01HF7YAT00-000000000000000"])
    func malformedTextIsRefused(_ text: String) {
        #expect(throws: BlockError.self) { try ULID(parsing: text) }
    }

    @Test func generatorIsStrictlyMonotonicWithinOneMillisecond() {
        let gen = ULIDGenerator()
        var last = gen.next(milliseconds: 5000)
        for i in 0..<2000 {
            // The clock stepping back must not break the order either.
            let id = gen.next(milliseconds: i == 1000 ? 4000 : 5000)
            #expect(last < id)
            last = id
        }
        #expect(gen.next(milliseconds: 6000).milliseconds == 6000)
    }
}
