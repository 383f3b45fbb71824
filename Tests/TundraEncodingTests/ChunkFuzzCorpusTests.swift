import Foundation
import Testing
import TundraEncoding
import TundraFuzz
import TundraTestSupport

/// Replays the committed XOR chunk corpus (`Fixtures/xor-corpus`, also the fuzzer's seed
/// corpus) through ``ChunkFuzz/run(_:)``, which traps on any broken invariant.
@Suite struct ChunkFuzzCorpusTests {
    /// What `ChunkFuzz.run` returns for each committed file: the sample count, or -1 for
    /// bytes that are not a valid chunk. Files added later (e.g. crash reproducers from
    /// `scripts/fuzz`) need no entry: they must only run and agree with a plain decode.
    static let expected: [String: Int] = [
        "empty": -1,
        "one-byte": -1,
        "header-only-zero": 0,
        "header-only-one": -1,
        "huge-count": -1,  // count 65535 over the three-sample golden chunk's body
        "max-count-zero-bits": 65535,  // 65535 samples of 2 zero bits each
        "truncated-real": -1,  // the five-sample golden chunk less its last byte
        "flipped-value-bit": 5,  // one bit of the first raw value flipped
        "flipped-control-bit": -1,  // sample 2's new-window bit flipped to "reuse"
        "window-wider-than-64": -1,  // 31 leading zeros + 64 significant bits
        "overlong-varint": -1,  // 11-byte first timestamp
        "golden-three": 3,
        "golden-window-reuse": 5,
        "golden-extremes": 4,
        "prometheus-reopened-appender": 3,
    ]

    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try FixtureCorpus.load(dir.appendingPathComponent("xor-corpus"))
    }

    @Test func corpusHoldsEveryExpectedFile() throws {
        let names = Set(try Self.corpus().map(\.name))
        #expect(names.isSuperset(of: Self.expected.keys), "missing: \(Set(Self.expected.keys).subtracting(names))")
    }

    @Test func corpusReplaysThroughChunkFuzz() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count >= Self.expected.count)
        for (name, bytes) in corpus {
            let result = ChunkFuzz.run(bytes)
            let plain = (try? XORChunk(bytes: bytes).samples().count) ?? -1
            #expect(result == plain, "\(name)")
            if let want = Self.expected[name] {
                #expect(result == want, "\(name)")
            }
        }
    }

    @Test func chunkFuzzAcceptsRandomInputAndMutatedChunks() {
        var rng = SeededRandom(seed: 0xF022)
        var valid = 0
        for _ in 0..<3000 {
            var bytes = encode(rng.series(count: rng.int(in: 1...30))).bytes
            for _ in 0..<rng.int(in: 0...3) {
                let i = rng.int(in: 0...(bytes.count - 1))
                bytes[i] ^= UInt8(1) << UInt8(rng.int(in: 0...7))
            }
            if ChunkFuzz.run(bytes) >= 0 { valid += 1 }
        }
        #expect(valid > 0, "seed \(hex(rng.seed))")
    }
}
