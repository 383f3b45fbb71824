import Testing
import TundraEncoding
import TundraModel
import TundraTestSupport

// Shared helpers for the encoding tests: encode/decode shortcuts, readable failure
// messages (every property test names its seed), and random series generators.

/// Encodes `samples` with a fresh ``XORAppender``.
func encode(_ samples: [Sample]) -> XORChunk {
    var app = XORAppender()
    for s in samples { app.append(t: s.t, v: s.v) }
    return app.chunk
}

/// Decodes raw chunk bytes.
func decode(_ bytes: [UInt8]) throws(ChunkError) -> [Sample] {
    try XORChunk(bytes: bytes).samples()
}

/// Builds samples from parallel timestamp and value-bit lists.
func samples(_ ts: [Int64], bits: [UInt64]) -> [Sample] {
    precondition(ts.count == bits.count)
    return zip(ts, bits).map { Sample(t: $0, v: Double(bitPattern: $1)) }
}

/// Samples at t = 0, 1000, 2000, ... carrying the given value bit patterns.
func samples(bits: [UInt64]) -> [Sample] {
    samples((0..<Int64(bits.count)).map { $0 * 1000 }, bits: bits)
}

/// Samples with the given timestamps and value 1.0 throughout.
func samples(ts: [Int64]) -> [Sample] {
    ts.map { Sample(t: $0, v: 1.0) }
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
}

/// The first difference between two sample lists, with bit patterns spelled out, or
/// nil when they are identical (timestamps equal, values equal bit for bit).
func firstMismatch(_ got: [Sample], _ want: [Sample]) -> String? {
    for i in 0..<min(got.count, want.count) where got[i] != want[i] {
        return "sample \(i): got t=\(got[i].t) v=\(hex(got[i].v.bitPattern)), "
            + "want t=\(want[i].t) v=\(hex(want[i].v.bitPattern))"
    }
    if got.count != want.count { return "got \(got.count) samples, want \(want.count)" }
    return nil
}

/// Encodes, decodes and returns the first mismatch (or a decode error), nil on an exact round trip.
func roundTripMismatch(_ input: [Sample]) -> String? {
    do {
        return firstMismatch(try encode(input).samples(), input)
    } catch {
        return "decoding threw \(error)"
    }
}

/// One float bit pattern with a name, for parameterised tests.
struct BitCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bits: UInt64
    var testDescription: String { "\(name) (\(hex(bits)))" }
}

/// Every class of float bit pattern the storage must keep exactly.
let bitClasses: [BitCase] = [
    BitCase(name: "Prometheus stale marker", bits: StaleNaN.bits),
    BitCase(name: "canonical quiet NaN", bits: 0x7FF8_0000_0000_0000),
    BitCase(name: "negative quiet NaN", bits: 0xFFF8_0000_0000_0000),
    BitCase(name: "quiet NaN, low payload", bits: 0x7FF8_0000_0000_0001),
    BitCase(name: "quiet NaN, all payload bits", bits: 0x7FFF_FFFF_FFFF_FFFF),
    BitCase(name: "negative NaN, all bits set", bits: 0xFFFF_FFFF_FFFF_FFFF),
    BitCase(name: "signalling NaN, lowest payload", bits: 0x7FF0_0000_0000_0001),
    BitCase(name: "signalling NaN, high payload", bits: 0x7FF4_0000_0000_0000),
    BitCase(name: "negative signalling NaN", bits: 0xFFF0_0000_0000_0001),
    BitCase(name: "NaN with payload 0xdeadbeef", bits: 0x7FF0_0000_DEAD_BEEF),
    BitCase(name: "+Inf", bits: Double.infinity.bitPattern),
    BitCase(name: "-Inf", bits: (-Double.infinity).bitPattern),
    BitCase(name: "+0.0", bits: 0),
    BitCase(name: "-0.0", bits: 0x8000_0000_0000_0000),
    BitCase(name: "smallest subnormal", bits: 0x0000_0000_0000_0001),
    BitCase(name: "largest subnormal", bits: 0x000F_FFFF_FFFF_FFFF),
    BitCase(name: "negative smallest subnormal", bits: 0x8000_0000_0000_0001),
    BitCase(name: "smallest normal", bits: Double.leastNormalMagnitude.bitPattern),
    BitCase(name: "max finite", bits: Double.greatestFiniteMagnitude.bitPattern),
    BitCase(name: "min finite", bits: (-Double.greatestFiniteMagnitude).bitPattern),
    BitCase(name: "1.0", bits: (1.0 as Double).bitPattern),
    BitCase(name: "-1.0", bits: (-1.0 as Double).bitPattern),
    BitCase(name: "integer 42", bits: (42.0 as Double).bitPattern),
    BitCase(name: "integer 2^53", bits: (9_007_199_254_740_992.0 as Double).bitPattern),
    BitCase(name: "integer -123456789", bits: (-123_456_789.0 as Double).bitPattern),
    BitCase(name: "0.1", bits: (0.1 as Double).bitPattern),
    BitCase(name: "pi", bits: Double.pi.bitPattern),
    BitCase(name: "random bits A", bits: 0x9E37_79B9_7F4A_7C15),
    BitCase(name: "random bits B", bits: 0x2545_F491_4F6C_DD1D),
    BitCase(name: "random bits C", bits: 0xD1B5_4A32_D192_ED03),
]

extension SeededRandom {
    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int64(in range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &self)] }

    /// A random series of `count` samples, mixing the timestamp and value shapes that
    /// stress the encoder: regular steps, jitter, wild jumps, time going backwards,
    /// repeated values, counters, NaN runs, single-bit flips and full 64-bit XORs.
    mutating func series(count: Int) -> [Sample] {
        var out: [Sample] = []
        out.reserveCapacity(count)
        var t = pick([0, 1_700_000_000_000, -5_000, Int64.min, Int64.max - 1_000_000, next().asInt64])
        let step = pick([1, 15_000, 60_000, Int64(int(in: 1...100_000))])
        let timeShape = int(in: 0...4)
        let valueShape = int(in: 0...7)
        var v = pick(bitClasses).bits
        for i in 0..<count {
            out.append(Sample(t: t, v: Double(bitPattern: v)))
            switch timeShape {
            case 0: t = t &+ step
            case 1: t = t &+ step &+ int64(in: -1_000...1_000)
            case 2: t = t &+ int64(in: -600_000...600_000)
            case 3: t = next().asInt64
            default: t = t &+ (chance(0.9) ? step : pick([Int64.max / 2, Int64.min / 2, -step, 1 << 40, 0]))
            }
            switch valueShape {
            case 0: v = next()
            case 1: v = pick(bitClasses).bits
            case 2: v = (Double(bitPattern: v).isFinite ? Double(bitPattern: v) : 0).nextUp.bitPattern
            case 3: v = i % 2 == 0 ? StaleNaN.bits : next()
            case 4: v ^= UInt64(1) << UInt64(int(in: 0...63))
            case 5: v ^= chance(0.5) ? 0xFFFF_FFFF_FFFF_FFFF : 0x8000_0000_0000_0001
            case 6: v ^= UInt64(int(in: 1...Int(UInt32.max)))  // XOR with >= 32 leading zeros
            default: if chance(0.3) { v = (Double(int(in: -3...3)) * 0.5).bitPattern }
            }
        }
        return out
    }
}

extension UInt64 {
    var asInt64: Int64 { Int64(bitPattern: self) }
}

/// Which delta-of-delta bucket the third sample of `chunk` used, read straight from the
/// bit stream. The chunk must start with t=0 (1-byte varint) and a second sample 1000 ms
/// later (2-byte uvarint) whose value equals the first (a single '0' XOR bit), so the
/// third sample's dod prefix sits at bit (2 + 1 + 8 + 2) * 8 + 1 = 105.
/// Returns the payload width: 0 (dod == 0), 14, 17, 20 or 64.
func dodBucketOfThirdSample(_ chunk: XORChunk) throws -> (width: Int, payload: UInt64) {
    var r = BitReader(chunk.bytes)
    _ = try r.readBits(105)
    var ones = 0
    while ones < 4, try r.readBit() { ones += 1 }
    let width = [0, 14, 17, 20, 64][ones]
    return (width, try r.readBits(width))
}
