import Testing
import TundraTestSupport

@testable import TundraIngest

@Suite struct SnappyTests {
    static func randomBytes(_ count: Int, _ rng: inout SeededRandom) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    @Test func roundTrip() throws {
        var rng = SeededRandom(seed: 0x5A_BB_1E)
        var inputs: [[UInt8]] = [
            [], [0], [0xff], Array("hello, snappy".utf8),
            [UInt8](repeating: 0x61, count: 100_000),
            (0..<70_000).map { UInt8(truncatingIfNeeded: $0 % 251) },
        ]
        for n in [1, 59, 60, 61, 255, 256, 257, 65_535, 65_536, 65_537, 200_000] {
            inputs.append(Self.randomBytes(n, &rng))
        }
        for input in inputs {
            let compressed = Snappy.compress(input)
            let back = try Snappy.decompress(compressed, limit: input.count)
            #expect(back == input, "\(input.count) bytes, seed \(rng.seed)")
        }
    }

    @Test func compressesRepetitiveInput() {
        let input = [UInt8](repeating: 7, count: 1 << 20)
        #expect(Snappy.compress(input).count < input.count / 10)
    }

    @Test func invalidInputIsInvalid() throws {
        let valid = Snappy.compress(Array(String(repeating: "remote write ", count: 40).utf8))
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated length varint", [0x80]),
            ("length varint over 32 bits", [0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
            ("literal shorter than declared", [10, 9 << 2, 0x61, 0x62]),
            ("literal longer than declared", [2, 9 << 2] + Array("0123456789".utf8)),
            ("copy before any output", [4, 0x01, 0x01]),
            ("zero length followed by bytes", [0x00, 0x0a, 0x00]),
            ("zero length followed by a literal", [0x00, 0x00, 0x61]),
            ("valid body less its last byte", Array(valid.dropLast())),
            ("valid body and a stray byte", valid + [0x00]),
        ]
        for (name, bytes) in cases {
            #expect(throws: Snappy.Failure.invalid, "\(name)") { try Snappy.decompress(bytes, limit: 1 << 20) }
        }
        // The real body still decodes, so the cases above fail for their own reason.
        #expect(try Snappy.decompress(valid, limit: 1 << 20).count == 40 * 13)
        #expect(try Snappy.decompress([0x00], limit: 0) == [])
    }

    @Test func declaredLengthOverTheLimitIsRefusedBeforeDecompressing() throws {
        // A 5-byte header claiming 4 GB (2^32 - 1 bytes), and nothing behind it: were the
        // body looked at, or the output allocated, this would be .invalid or worse.
        let fourGB: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f]
        #expect(throws: Snappy.Failure.tooLarge(length: 4_294_967_295, limit: 64 << 20)) {
            try Snappy.decompress(fourGB, limit: 64 << 20)
        }
        #expect(throws: Snappy.Failure.tooLarge(length: 4_294_967_295, limit: 64 << 20)) {
            try Snappy.decompress(fourGB + [UInt8](repeating: 0, count: 64), limit: 64 << 20)
        }
        // One byte over a small limit, with a body that is itself invalid.
        #expect(throws: Snappy.Failure.tooLarge(length: 11, limit: 10)) { try Snappy.decompress([11, 0xff], limit: 10) }
    }

    @Test func limitIsInclusive() throws {
        let input = [UInt8](repeating: 1, count: 1000)
        let compressed = Snappy.compress(input)
        #expect(throws: Snappy.Failure.tooLarge(length: 1000, limit: 999)) { try Snappy.decompress(compressed, limit: 999) }
        #expect(try Snappy.decompress(compressed, limit: 1000) == input)
    }

    @Test func tooLargeDescriptionNamesBothSizes() {
        let d = Snappy.Failure.tooLarge(length: 4_294_967_295, limit: 67_108_864).description
        #expect(d.contains("4294967295") && d.contains("67108864"))
    }
}
