import Testing
import TundraEncoding
import TundraModel
import TundraTestSupport

/// Random and adversarial series must round trip exactly. Each test draws from a fixed
/// seed and names it in the failure message: `SeededRandom(seed:)` with that seed
/// replays the failing series.
@Suite struct XORChunkPropertyTests {
    @Test(arguments: [UInt64(1), 2, 3, 0xC0FFEE, 0x5EED_0000_0000_0001])
    func randomSeriesRoundTripExactly(_ seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for series in 0..<200 {
            let count = rng.chance(0.1) ? rng.int(in: 1...3) : rng.int(in: 1...400)
            let input = rng.series(count: count)
            if let m = roundTripMismatch(input) {
                Issue.record("seed \(hex(seed)), series \(series) (\(count) samples): \(m)")
                return
            }
        }
    }

    @Test func randomSeriesDecodeTheSameSampleBySampleAndInBulk() throws {
        var rng = SeededRandom(seed: 0xB0_0C)
        for _ in 0..<100 {
            let input = rng.series(count: rng.int(in: 1...200))
            let chunk = encode(input)
            var it = chunk.iterator()
            var one: [Sample] = []
            while let s = try it.next() { one.append(s) }
            #expect(try it.next() == nil, "seed \(hex(rng.seed))")
            #expect(one == (try chunk.samples()), "seed \(hex(rng.seed))")
            #expect(chunk.count == input.count)
        }
    }

    @Test func reencodingDecodedSamplesGivesTheSameBytes() throws {
        var rng = SeededRandom(seed: 0xE4C0DE)
        for _ in 0..<200 {
            let chunk = encode(rng.series(count: rng.int(in: 1...150)))
            #expect(encode(try chunk.samples()).bytes == chunk.bytes, "seed \(hex(rng.seed))")
        }
    }

    @Test func alternatingNaNAndValuesRoundTrip() {
        var rng = SeededRandom(seed: 0xA17)
        for _ in 0..<50 {
            let nan = rng.pick([StaleNaN.bits, 0x7FF8_0000_0000_0000, 0xFFF0_0000_0000_0001, 0x7FF0_0000_0000_0001])
            let bits = (0..<120).map { i in i % 2 == 0 ? nan : rng.next() }
            #expect(roundTripMismatch(samples(bits: bits)) == nil, "seed \(hex(rng.seed)), NaN \(hex(nan))")
            let runs = (0..<120).map { i in (i / 5) % 2 == 0 ? nan : (Double(i) * 0.25).bitPattern }
            #expect(roundTripMismatch(samples(bits: runs)) == nil, "NaN runs \(hex(nan))")
        }
    }

    @Test func everySingleBitFlipRoundTrips() {
        // v, v ^ bit k, for every k, walking up then down: windows of width 1 at every
        // position, reused and replaced.
        var bits: [UInt64] = [0x4000_0000_0000_0000]
        for k in Array(0..<64) + Array((0..<64).reversed()) {
            bits.append(bits.last! ^ (UInt64(1) << UInt64(k)))
        }
        #expect(roundTripMismatch(samples(bits: bits)) == nil)

        var rng = SeededRandom(seed: 0xF11B)
        var v = rng.next()
        var random: [UInt64] = []
        for _ in 0..<2000 {
            random.append(v)
            let flips = rng.int(in: 1...3)
            for _ in 0..<flips { v ^= UInt64(1) << UInt64(rng.int(in: 0...63)) }
        }
        #expect(roundTripMismatch(samples(bits: random)) == nil, "seed \(hex(rng.seed))")
    }

    @Test func xorsWith64SignificantBitsRoundTrip() {
        // Top and bottom bits both set: 0 leading, 0 trailing zeros, written as 0 sigbits.
        var rng = SeededRandom(seed: 0x64)
        var bits: [UInt64] = [0]
        for i in 0..<300 {
            let middle = rng.next() & 0x7FFF_FFFF_FFFF_FFFE
            let x: UInt64 = i % 3 == 0 ? .max : 0x8000_0000_0000_0001 | middle
            bits.append(bits.last! ^ x)
        }
        #expect(roundTripMismatch(samples(bits: bits)) == nil, "seed \(hex(rng.seed))")
    }

    @Test func xorsWithThirtyTwoOrMoreLeadingZerosRoundTrip() {
        // Leading zeros >= 32 are written as 31, so the window holds extra zero bits.
        var rng = SeededRandom(seed: 0x32)
        var bits: [UInt64] = [(1.0 as Double).bitPattern]
        for _ in 0..<1000 {
            let width = rng.int(in: 1...32)
            let x = (rng.next() >> UInt64(64 - width)) | (UInt64(1) << UInt64(width - 1))
            bits.append(bits.last! ^ x)
        }
        #expect(roundTripMismatch(samples(bits: bits)) == nil, "seed \(hex(rng.seed))")
        // Exactly 32 and exactly 31 leading zeros, each reusing the other's window.
        let edges: [UInt64] = [0, 0x0000_0000_FFFF_FFFF, 0, 0x0000_0001_FFFF_FFFF, 0x0000_0001_0000_0000, 0x1, 0x0000_0000_8000_0000]
        #expect(roundTripMismatch(samples(bits: edges)) == nil)
    }

    @Test func windowsThatGrowAndShrinkRoundTrip() {
        // XORs alternate between narrow and wide bit ranges so the writer keeps switching
        // between reusing a window and opening a new one.
        var bits: [UInt64] = [0]
        for lo in 0..<60 {
            let narrow = UInt64(0b101) << UInt64(lo)
            let wide = (UInt64.max >> UInt64(lo / 2)) & ~((UInt64(1) << UInt64(lo / 3)) &- 1)
            bits.append(bits.last! ^ narrow)
            bits.append(bits.last! ^ wide)
            bits.append(bits.last! ^ narrow)
        }
        #expect(roundTripMismatch(samples(bits: bits)) == nil)
    }

    @Test func randomTimestampsWithRandomBitsRoundTrip() {
        var rng = SeededRandom(seed: 0x7_1E5)
        for _ in 0..<100 {
            let n = rng.int(in: 1...100)
            let ts = (0..<n).map { _ in rng.next().asInt64 }
            let bits = (0..<n).map { _ in rng.next() }
            #expect(roundTripMismatch(samples(ts, bits: bits)) == nil, "seed \(hex(rng.seed))")
        }
    }
}
