import Testing
import TundraEncoding
import TundraModel

/// Byte compatibility with Prometheus' XOR chunk (`tsdb/chunkenc/xor.go`). Go cannot run
/// here, so each expected chunk is derived by hand from the format, bit by bit, in the
/// comment above it. The format, for reference:
///
/// - 2-byte big-endian sample count.
/// - Sample 1: t as a zigzag varint (Go `PutVarint`), then the value's 64 raw bits.
/// - Sample 2: t - t1 as a uvarint (Go `PutUvarint`), then the XOR-encoded value.
/// - Later samples: dod = delta - previous delta in a bucket: '0' for 0, '10' + 14 bits,
///   '110' + 17 bits, '1110' + 20 bits, '1111' + 64 bits (n bits hold
///   -(2^(n-1) - 1) ... 2^(n-1), two's complement), then the XOR-encoded value.
/// - XOR value: x = bits(v) ^ bits(previous v). '0' when x == 0. Otherwise '1', then
///   '0' + (64 - L - T) bits of x >> T when x fits the current window (leading L,
///   trailing T: x's leading zeros >= L and trailing zeros >= T), else '1' + 5 bits of
///   leading zeros (clamped to 31) + 6 bits of significant bits (64 written as 0) +
///   the significant bits; that sets the new window.
/// - Bits fill each byte from its high end; the last byte is padded with zeros.
@Suite struct XORChunkGoldenTests {
    /// (t=1000, v=1.0), (t=2000, v=2.0), (t=3000, v=3.0).
    ///
    /// ```
    /// header      count 3                                   00 03
    /// s1 t        zigzag(1000) = 2000 = 0b1111_1010000
    ///             uvarint: low 7 bits 1010000 | 0x80 = D0,
    ///             then 2000 >> 7 = 15 = 0F                  D0 0F
    /// s1 v        1.0 = 0x3FF0_0000_0000_0000               3F F0 00 00 00 00 00 00
    /// s2 t        delta 1000 = 0b111_1101000: E8, 07        E8 07
    /// s2 v        x = 0x3FF0.. ^ 0x4000.. (2.0) = 0x7FF0_0000_0000_0000
    ///             leading 1, trailing 52, 11 significant bits; no window yet:
    ///             '1' '1' 00001 001011 11111111111          (24 bits)
    /// s3 t        delta 1000, dod 0: '0'
    /// s3 v        x = 0x4000.. ^ 0x4008.. (3.0) = 0x0008_0000_0000_0000
    ///             leading 12, trailing 51; 51 < window's 52, so a new window:
    ///             '1' '1' 01100 000001 1                     (1 + 14 bits)
    /// bit stream  11000010 01011111 11111111 01101100 0000011+0
    ///             C2       5F       FF       6C       06
    /// ```
    static let threeSamples: [UInt8] = [
        0x00, 0x03,
        0xD0, 0x0F,
        0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xE8, 0x07,
        0xC2, 0x5F, 0xFF, 0x6C, 0x06,
    ]

    @Test func threeSamplesMatchPrometheusBytes() throws {
        let input = [Sample(t: 1000, v: 1.0), Sample(t: 2000, v: 2.0), Sample(t: 3000, v: 3.0)]
        let expected = Self.threeSamples
        let chunk = encode(input)
        #expect(chunk.bytes == expected, "got \(hex(chunk.bytes))")
        #expect(try decode(expected) == input)
    }

    /// (1000, 1.0), (2000, 3.0), (3100, 2.0), (4200, 2.0), (5000, 2.5): the third value
    /// reuses the window, and the dods are +100 and -300 (14-bit bucket) and 0.
    ///
    /// ```
    /// header      count 5                                   00 05
    /// s1          t 1000, v 1.0 as above                    D0 0F 3F F0 00 00 00 00 00 00
    /// s2 t        delta 1000                                E8 07
    /// s2 v        x = 0x3FF0.. ^ 0x4008.. (3.0) = 0x7FF8_0000_0000_0000
    ///             leading 1, trailing 51, 12 significant bits, new window (1, 51):
    ///             '1' '1' 00001 001100 111111111111         (25 bits)
    /// s3 t        delta 1100, dod +100: '10' 00000001100100
    /// s3 v        x = 0x4008.. ^ 0x4000.. (2.0) = 0x0008_0000_0000_0000
    ///             leading 12 >= 1, trailing 51 >= 51: reuse the window,
    ///             64 - 1 - 51 = 12 bits of x >> 51 = 1:
    ///             '1' '0' 000000000001                       (16 + 14 bits)
    /// s4          delta 1100, dod 0: '0'; same value: '0'   (2 bits)
    /// s5 t        delta 800, dod -300: 2^14 - 300 = 16084 = '10' 11111011010100
    /// s5 v        x = 0x4000.. ^ 0x4004.. (2.5) = 0x0004_0000_0000_0000
    ///             leading 13, trailing 50 < 51: new window:
    ///             '1' '1' 01101 000001 1                     (16 + 14 bits)
    /// bit stream  11000010 01100111 11111111 11000000 00110010 01000000
    ///             C2       67       FF       C0       32       40
    ///             00000010 01011111 01101010 01101101 0000011+0
    ///             02       5F       6A       6D       06
    /// ```
    @Test func windowReuseAndSmallDodsMatchPrometheusBytes() throws {
        let input = [
            Sample(t: 1000, v: 1.0), Sample(t: 2000, v: 3.0), Sample(t: 3100, v: 2.0),
            Sample(t: 4200, v: 2.0), Sample(t: 5000, v: 2.5),
        ]
        let expected: [UInt8] = [
            0x00, 0x05,
            0xD0, 0x0F,
            0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xE8, 0x07,
            0xC2, 0x67, 0xFF, 0xC0, 0x32, 0x40, 0x02, 0x5F, 0x6A, 0x6D, 0x06,
        ]
        let chunk = encode(input)
        #expect(chunk.bytes == expected, "got \(hex(chunk.bytes))")
        #expect(try decode(expected) == input)
    }

    /// (-1, 0.0), (0, 0x1), (1, 0x8000_0000_0000_0001), (2 + 2^40, 0x7FFF_FFFF_FFFF_FFFE):
    /// a negative first timestamp, leading zeros clamped to 31, a 1-bit window at the
    /// top, 64 significant bits written as 0, and the 64-bit dod bucket.
    ///
    /// ```
    /// header      count 4                                   00 04
    /// s1 t        zigzag(-1) = 1                            01
    /// s1 v        0.0                                       00 00 00 00 00 00 00 00
    /// s2 t        delta 1                                   01
    /// s2 v        x = 0x1: 63 leading zeros, written as 31; trailing 0; 33 bits:
    ///             '1' '1' 11111 100001 0{32}1                (46 bits)
    /// s3 t        delta 1, dod 0: '0'
    /// s3 v        x = 0x1 ^ 0x8000_0000_0000_0001 = 0x8000_0000_0000_0000
    ///             leading 0 < 31: new window (0, 63), 1 bit:
    ///             '1' '1' 00000 000001 1                     (1 + 14 bits)
    /// s4 t        delta 2^40 + 1, dod 2^40: '1111' then 64 bits 0x0000_0100_0000_0000
    /// s4 v        x = 0x8000_0000_0000_0001 ^ 0x7FFF_FFFF_FFFF_FFFE = 0xFFFF_FFFF_FFFF_FFFF
    ///             trailing 0 < 63: new window, 64 significant bits written as 000000:
    ///             '1' '1' 00000 000000 1{64}                 (68 + 77 bits)
    /// bit stream  11111111 00001000 00000000 00000000 00000000 00000101
    ///             FF       08       00       00       00       05
    ///             10000000 00011111 10000000 00000000 00000000 10000000
    ///             80       1F       80       00       00       80
    ///             00000000 x4                01100000 00000011 11111111 x7  111111+00
    ///             00 00 00 00                60       03       FF x7        FC
    /// ```
    @Test func extremeValuesAndDodMatchPrometheusBytes() throws {
        let input = samples([-1, 0, 1, 2 + (1 << 40)], bits: [0, 0x1, 0x8000_0000_0000_0001, 0x7FFF_FFFF_FFFF_FFFE])
        let expected: [UInt8] = [
            0x00, 0x04,
            0x01,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01,
            0xFF, 0x08, 0x00, 0x00, 0x00, 0x05, 0x80, 0x1F, 0x80, 0x00, 0x00, 0x80,
            0x00, 0x00, 0x00, 0x00, 0x60, 0x03,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC,
        ]
        let chunk = encode(input)
        #expect(chunk.bytes == expected, "got \(hex(chunk.bytes))")
        #expect(try decode(expected) == input)
    }

    /// A chunk as Prometheus writes it when it reopens a one-sample chunk for appending:
    /// `XORChunk.Appender()` takes its window from the iterator, whose leading and
    /// trailing start at 0 (not 0xff), so the next values reuse a (0, 0) window and are
    /// written as '1' '0' + all 64 bits. xor.go's iterator reads that back; so must we.
    ///
    /// ```
    /// header      count 3                                   00 03
    /// s1, s2 t    t 1000, v 1.0, delta 1000 as in the first test
    /// s2 v        x = 0x7FF0_0000_0000_0000, window (0, 0) reused:
    ///             '1' '0' 0111111111110000 0{48}             (66 bits)
    /// s3          dod 0: '0'; x = 0x0008_0000_0000_0000, window (0, 0) reused:
    ///             '1' '0' 0000000000001000 0{48}             (1 + 66 bits)
    /// bit stream  10011111 11111100 00000000 x6  00010000 00000000 01000000
    ///             9F       FC       00 x6        10       00       40
    ///             00000000 x5  00000+000
    ///             00 x5        00
    /// ```
    @Test func chunkFromPrometheusReopenedAppenderDecodes() throws {
        let bytes: [UInt8] = [
            0x00, 0x03,
            0xD0, 0x0F,
            0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xE8, 0x07,
            0x9F, 0xFC, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x40,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        let want = [Sample(t: 1000, v: 1.0), Sample(t: 2000, v: 2.0), Sample(t: 3000, v: 3.0)]
        #expect(try decode(bytes) == want)
        // Re-encoding gives the canonical (fresh appender) bytes of the first test.
        #expect(encode(want).bytes == Self.threeSamples)
    }

    /// Go's `PutVarint` bytes of a first timestamp (zigzag, then 7 bits a byte).
    static let firstTimestamps: [(Int64, [UInt8])] = [
        (0, [0x00]),
        (1, [0x02]),
        (-1, [0x01]),
        (63, [0x7E]),
        (-64, [0x7F]),
        (64, [0x80, 0x01]),
        (1_700_000_000_000, [0x80, 0xA0, 0xAB, 0xFE, 0xF9, 0x62]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: firstTimestamps)
    func firstTimestampIsAZigzagVarintAfterTheHeader(_ t: Int64, _ varint: [UInt8]) {
        let chunk = encode([Sample(t: t, v: 0)])
        #expect(chunk.bytes == [0x00, 0x01] + varint + [UInt8](repeating: 0, count: 8))
    }
}
