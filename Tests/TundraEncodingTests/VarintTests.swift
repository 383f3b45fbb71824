import Testing
import TundraEncoding
import TundraTestSupport

/// Go `encoding/binary` varints: 7 bits a byte, low group first.
@Suite struct VarintTests {
    static func encodeU(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        Varint.appendUvarint(v, to: &out)
        return out
    }

    static func decodeU(_ bytes: [UInt8]) -> (value: UInt64?, next: Int) {
        var i = 0
        let v = bytes.withUnsafeBytes { Varint.readUvarint($0, at: &i) }
        return (v, i)
    }

    static let unsignedEdges: [UInt64] = {
        var xs: [UInt64] = [0, 1, 127, 128, 255, 256, 300, 16383, 16384, 1 << 63, (1 << 63) - 1, (1 << 63) + 1, .max, .max - 1]
        for k in stride(from: 7, through: 63, by: 7) {
            xs += [(UInt64(1) << UInt64(k)) - 1, UInt64(1) << UInt64(k), (UInt64(1) << UInt64(k)) + 1]
        }
        return xs
    }()

    @Test(arguments: unsignedEdges)
    func unsignedRoundTripsAtGroupBoundaries(_ v: UInt64) {
        let bytes = Self.encodeU(v)
        // ceil(significant bits / 7) bytes, at least one.
        let expectedLength = max(1, (64 - v.leadingZeroBitCount + 6) / 7)
        #expect(bytes.count == expectedLength)
        #expect(bytes.count <= Varint.maxLength)
        let (back, next) = Self.decodeU(bytes)
        #expect(back == v)
        #expect(next == bytes.count)
    }

    @Test func unsignedEncodingsMatchGo() {
        #expect(Self.encodeU(0) == [0x00])
        #expect(Self.encodeU(127) == [0x7F])
        #expect(Self.encodeU(128) == [0x80, 0x01])
        #expect(Self.encodeU(300) == [0xAC, 0x02])
        #expect(Self.encodeU(1 << 63) == [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        #expect(Self.encodeU(.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test(arguments: [Int64(0), -1, 1, -2, 2, 63, -64, 64, -65, 1_700_000_000_000, -1_700_000_000_000, .max, .min, .max - 1, .min + 1])
    func signedRoundTripsThroughZigzag(_ v: Int64) {
        var out: [UInt8] = []
        Varint.appendVarint(v, to: &out)
        var i = 0
        let back = out.withUnsafeBytes { Varint.readVarint($0, at: &i) }
        #expect(back == v)
        #expect(i == out.count)
        #expect(Varint.unzigzag(Varint.zigzag(v)) == v)
    }

    @Test func zigzagInterleavesSigns() {
        #expect([0, -1, 1, -2, 2].map(Varint.zigzag) == [0, 1, 2, 3, 4])
        #expect(Varint.zigzag(Int64.max) == UInt64.max - 1)
        #expect(Varint.zigzag(Int64.min) == UInt64.max)
    }

    @Test func randomValuesRoundTripBackToBack() {
        var rng = SeededRandom(seed: 0x7A21)
        var values: [UInt64] = []
        var buffer: [UInt8] = []
        for _ in 0..<2000 {
            let v = rng.next() >> UInt64(rng.int(in: 0...63))
            values.append(v)
            Varint.appendUvarint(v, to: &buffer)
        }
        var i = 0
        var back: [UInt64] = []
        buffer.withUnsafeBytes { raw in
            while let v = Varint.readUvarint(raw, at: &i) { back.append(v) }
        }
        #expect(back == values, "seed \(hex(rng.seed))")
        #expect(i == buffer.count)
    }

    @Test(arguments: unsignedEdges.filter { $0 >= 128 })
    func everyTruncationReturnsNilAndLeavesTheIndex(_ v: UInt64) {
        let bytes = Self.encodeU(v)
        for length in 0..<bytes.count {
            let (back, next) = Self.decodeU(Array(bytes.prefix(length)))
            #expect(back == nil, "\(v) cut to \(length) bytes")
            #expect(next == 0)
        }
    }

    @Test func overlongVarintsReturnNil() {
        // More than 10 bytes.
        #expect(Self.decodeU([UInt8](repeating: 0x80, count: 10) + [0x00]).value == nil)
        #expect(Self.decodeU([UInt8](repeating: 0xFF, count: 10) + [0x01]).value == nil)
        #expect(Self.decodeU([UInt8](repeating: 0x80, count: 20)).value == nil)
        // Ten bytes whose last carries more than the 64th bit.
        #expect(Self.decodeU([UInt8](repeating: 0xFF, count: 9) + [0x02]).value == nil)
        #expect(Self.decodeU([UInt8](repeating: 0x80, count: 9) + [0x7F]).value == nil)
        // ... while exactly 64 bits decode.
        #expect(Self.decodeU([UInt8](repeating: 0xFF, count: 9) + [0x01]).value == .max)
        // The signed reader rejects the same bytes.
        var i = 0
        let signed = ([UInt8](repeating: 0xFF, count: 9) + [0x02]).withUnsafeBytes { Varint.readVarint($0, at: &i) }
        #expect(signed == nil && i == 0)
    }

    @Test func nonMinimalEncodingsDecodeAsGoDoes() {
        // Go's ReadUvarint accepts padding groups of zero; so do we (the chunk writer
        // never produces them).
        #expect(Self.decodeU([0x80, 0x00]) == (0, 2))
        #expect(Self.decodeU([0x81, 0x80, 0x00]) == (1, 3))
    }

    @Test func readingStartsAtTheIndex() {
        let bytes: [UInt8] = [0xFF, 0xAC, 0x02, 0x05]
        var i = 1
        let v = bytes.withUnsafeBytes { Varint.readUvarint($0, at: &i) }
        #expect(v == 300 && i == 3)
        let w = bytes.withUnsafeBytes { Varint.readUvarint($0, at: &i) }
        #expect(w == 5 && i == 4)
        let end = bytes.withUnsafeBytes { Varint.readUvarint($0, at: &i) }
        #expect(end == nil && i == 4)
    }

    @Test func bitReaderReadsVarintsOnlyWhenByteAligned() throws {
        var r = BitReader([0xAC, 0x02, 0x03, 0x80])
        #expect(try r.readUvarint() == 300)
        #expect(try r.readVarint() == -2)
        #expect(throws: ChunkError.truncated) { try r.readUvarint() }
        var u = BitReader([0x00, 0x01])
        _ = try u.readBit()
        #expect(throws: ChunkError.self) { try u.readUvarint() }
    }
}
