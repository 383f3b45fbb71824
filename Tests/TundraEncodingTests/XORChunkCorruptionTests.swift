import Testing
import TundraEncoding
import TundraModel
import TundraTestSupport

/// Hostile input: decoding must end in a `ChunkError` or in samples, never in a crash or a
/// hang. (The decoder's error type is `ChunkError` by its typed `throws`, so these tests
/// check what can still go wrong: crashes, hangs, and samples that do not match the header.)
@Suite struct XORChunkCorruptionTests {
    /// A chunk that uses every encoding path, for mutation.
    static let realChunk: XORChunk = {
        var rng = SeededRandom(seed: 0xC4_0C)
        var input = rng.series(count: 150)
        input += samples([1, 2, 4, 8, 16, 8_000_000_000], bits: [StaleNaN.bits, 0, .max, 1, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0001])
        return encode(input)
    }()

    /// Decodes, and checks that a success returns exactly as many samples as the header
    /// declares. Returns whether decoding succeeded.
    static func decodeChecked(_ bytes: [UInt8], _ context: @autoclosure () -> String) -> Bool {
        do {
            let chunk = try XORChunk(bytes: bytes)
            let out = try chunk.samples()
            #expect(out.count == chunk.count, "\(context())")
            return true
        } catch {
            return false
        }
    }

    @Test func everyTruncationThrowsTruncatedAfterTheIntactSamples() throws {
        let full = Self.realChunk.bytes
        let want = try Self.realChunk.samples()
        for length in 0..<full.count {
            let prefix = Array(full.prefix(length))
            guard length >= 2 else {
                #expect(throws: ChunkError.truncated) { try XORChunk(bytes: prefix) }
                continue
            }
            // Dropping the last byte drops at least one written bit, so some sample is
            // missing; the ones before it decode unchanged.
            var it = try XORChunk(bytes: prefix).iterator()
            var got: [Sample] = []
            do {
                while let s = try it.next() { got.append(s) }
                Issue.record("length \(length) of \(full.count): decoded \(got.count) samples without error")
            } catch {
                #expect(error == .truncated, "length \(length)")
            }
            #expect(got.count < want.count, "length \(length)")
            #expect(Array(want.prefix(got.count)) == got, "length \(length)")
        }
    }

    @Test func truncatingAChunkOfEachShapeThrows() throws {
        var rng = SeededRandom(seed: 0x7_2C)
        for _ in 0..<200 {
            let full = encode(rng.series(count: rng.int(in: 1...40))).bytes
            let cut = rng.int(in: 2...(full.count - 1))
            #expect(throws: ChunkError.truncated, "seed \(hex(rng.seed)), cut \(cut)") {
                try decode(Array(full.prefix(cut)))
            }
        }
    }

    @Test func randomBitFlipsNeverCrash() {
        var rng = SeededRandom(seed: 0xF1_1B5)
        let base = Self.realChunk.bytes
        var failed = 0, decoded = 0
        for round in 0..<5000 {
            var bytes = base
            for _ in 0..<rng.int(in: 1...4) {
                let i = rng.int(in: 0...(bytes.count - 1))
                bytes[i] ^= UInt8(1) << UInt8(rng.int(in: 0...7))
            }
            if Self.decodeChecked(bytes, "seed \(hex(rng.seed)), round \(round)") { decoded += 1 } else { failed += 1 }
        }
        // Both outcomes happen: flips in values decode, flips in control bits mostly fail.
        #expect(decoded > 0 && failed > 0, "decoded \(decoded), failed \(failed)")
    }

    @Test func randomByteMutationsNeverCrash() {
        var rng = SeededRandom(seed: 0xB7_E5)
        let base = Self.realChunk.bytes
        var failed = 0
        for round in 0..<5000 {
            var bytes = base
            switch rng.int(in: 0...4) {
            case 0: bytes[rng.int(in: 0...(bytes.count - 1))] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes.removeSubrange(rng.int(in: 0...(bytes.count - 1))...)
            case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: rng.int(in: 0...bytes.count))
            case 3: bytes.remove(at: rng.int(in: 0...(bytes.count - 1)))
            default:
                // A new header count, keeping the body.
                let count = rng.pick([0, 1, 2, 149, 156, 157, 65535, rng.int(in: 0...65535)])
                bytes[0] = UInt8(count >> 8)
                bytes[1] = UInt8(count & 0xFF)
            }
            if !Self.decodeChecked(bytes, "seed \(hex(rng.seed)), round \(round)") { failed += 1 }
        }
        #expect(failed > 0)
    }

    @Test func randomGarbageNeverCrashes() {
        var rng = SeededRandom(seed: 0x6A_5BA6E)
        var decoded = 0
        for round in 0..<5000 {
            let length = rng.chance(0.05) ? rng.int(in: 0...4096) : rng.int(in: 0...48)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if length >= 2, rng.chance(0.5) { bytes[0] = 0 }  // small counts decode more often
            if Self.decodeChecked(bytes, "seed \(hex(rng.seed)), round \(round)") { decoded += 1 }
        }
        #expect(decoded > 0)
    }

    @Test func headerClaiming65535SamplesOverFewBytesThrows() {
        #expect(throws: ChunkError.truncated) { try decode([0xFF, 0xFF]) }
        #expect(throws: ChunkError.truncated) { try decode([0xFF, 0xFF, 0x00]) }
        var real = Self.realChunk.bytes
        real[0] = 0xFF
        real[1] = 0xFF
        #expect(throws: ChunkError.truncated) { try decode(real) }
        var rng = SeededRandom(seed: 0xFFFF)
        for _ in 0..<200 {
            let body = (0..<rng.int(in: 0...64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(throws: ChunkError.self, "seed \(hex(rng.seed))") { try decode([0xFF, 0xFF] + body) }
        }
    }

    @Test func headerClaiming65535SamplesOfZeroBitsDecodesThemAll() throws {
        // t=0 (varint 00), v=0.0, delta 0 (uvarint 00), then '0' (same value) for sample 2
        // and '0' '0' (dod 0, same value) for each of the other 65533: 131067 bits.
        let bytes: [UInt8] = [0xFF, 0xFF, 0x00] + [UInt8](repeating: 0, count: 8) + [0x00]
            + [UInt8](repeating: 0, count: (131_067 + 7) / 8)
        let out = try decode(bytes)
        #expect(out.count == 65535)
        #expect(out.allSatisfy { $0 == Sample(t: 0, v: 0) })
        #expect(throws: ChunkError.truncated) { try decode(Array(bytes.dropLast())) }
    }

    @Test func headerOnlyChunks() throws {
        #expect(try decode([0x00, 0x00]).isEmpty)
        #expect(try decode([0x00, 0x00, 0xAB, 0xCD]).isEmpty)  // trailing bytes past count 0 are ignored
        #expect(throws: ChunkError.truncated) { try decode([0x00, 0x01]) }
        #expect(throws: ChunkError.truncated) { try decode([0x00, 0x02, 0x02]) }
    }

    @Test func windowWiderThan64BitsIsCorrupt() {
        // count 2; t 0; v 0.0; delta 0; then '1' '1', 31 leading zeros, sigbits 0 (= 64):
        // 31 + 64 > 64. Bits: 1 1 11111 000000 + padding -> 11111110 00000000 = FE 00
        // (then 8 more bytes, room for the 64 bits it would read).
        let bytes: [UInt8] = [0x00, 0x02, 0x00] + [UInt8](repeating: 0, count: 8) + [0x00, 0xFE, 0x00]
            + [UInt8](repeating: 0, count: 8)
        #expect(throws: ChunkError.self) { try decode(bytes) }
        do {
            _ = try decode(bytes)
        } catch {
            guard case .corrupt = error else {
                Issue.record("want .corrupt, got \(error)")
                return
            }
        }
    }

    @Test func overlongFirstTimestampVarintThrows() {
        // 11 continuation bytes: no 64-bit varint is that long.
        #expect(throws: ChunkError.self) { try decode([0x00, 0x01] + [UInt8](repeating: 0x80, count: 11) + [0x00] + [UInt8](repeating: 0, count: 8)) }
        // A 10th byte above 1 overflows 64 bits.
        #expect(throws: ChunkError.self) { try decode([0x00, 0x01] + [UInt8](repeating: 0xFF, count: 9) + [0x02] + [UInt8](repeating: 0, count: 8)) }
    }

    @Test func decodingAfterAnErrorKeepsFailingWithoutCrashing() {
        var it = XORChunk(bytesOrEmpty: Array(Self.realChunk.bytes.prefix(40))).iterator()
        var errors = 0
        for _ in 0..<100 {
            do {
                if try it.next() == nil { break }
            } catch {
                errors += 1
            }
        }
        #expect(errors > 0)
    }
}

extension XORChunk {
    init(bytesOrEmpty bytes: [UInt8]) {
        self = (try? XORChunk(bytes: bytes)) ?? XORAppender().chunk
    }
}
