import Testing
import TundraEncoding
import TundraTestSupport

/// `BitWriter` and `BitReader`: most significant bit first, Prometheus `bstream` layout.
@Suite struct BitStreamTests {
    @Test(arguments: [UInt64(1), 2, 3, 0xB175])
    func randomWidthsZeroThrough64RoundTrip(_ seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var w = BitWriter()
        var written: [(value: UInt64, width: Int)] = []
        var totalBits = 0
        for _ in 0..<3000 {
            let width = rng.int(in: 0...64)
            let raw = rng.next()
            if rng.chance(0.1) {
                let bit = raw & 1 == 1
                w.writeBit(bit)
                written.append((bit ? 1 : 0, -1))
                totalBits += 1
            } else {
                // Bits above `width` must be ignored by the writer.
                w.writeBits(raw, count: width)
                let mask: UInt64 = width == 64 ? .max : (UInt64(1) << UInt64(width)) &- 1
                written.append((raw & mask, width))
                totalBits += width
            }
        }
        #expect(w.bytes.count == (totalBits + 7) / 8, "seed \(seed)")
        #expect(w.freeBits == (8 - totalBits % 8) % 8, "seed \(seed)")

        var r = BitReader(w.bytes)
        for (i, item) in written.enumerated() {
            let got: UInt64 = item.width < 0 ? (try r.readBit() ? 1 : 0) : try r.readBits(item.width)
            if got != item.value {
                Issue.record("seed \(seed), item \(i): width \(item.width) read \(hex(got)), wrote \(hex(item.value))")
                return
            }
        }
        #expect(r.bitPosition == totalBits)
        #expect(r.bitsRemaining == w.bytes.count * 8 - totalBits)
    }

    @Test func bitsFillBytesFromTheHighEnd() {
        var w = BitWriter()
        w.writeBit(true)
        #expect(w.bytes == [0x80] && w.freeBits == 7)
        w.writeBits(0b01, count: 2)
        #expect(w.bytes == [0xA0] && w.freeBits == 5)
        w.writeBits(0x1FF, count: 9)
        #expect(w.bytes == [0xBF, 0xF0] && w.freeBits == 4)
        w.writeBits(0, count: 0)
        #expect(w.bytes == [0xBF, 0xF0] && w.freeBits == 4)
        w.writeBits(0x0123_4567_89AB_CDEF, count: 64)
        #expect(w.bytes == [0xBF, 0xF0, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0] && w.freeBits == 4)
    }

    @Test func writerContinuesAPartlyUsedLastByte() {
        var w = BitWriter(bytes: [0x00, 0x00, 0b1010_0000], freeBits: 5)
        w.writeBits(0b11111, count: 5)
        #expect(w.bytes == [0x00, 0x00, 0b1011_1111] && w.freeBits == 0)
        w.writeAlignedBytes([0x42])
        #expect(w.bytes == [0x00, 0x00, 0xBF, 0x42])
        w.setUInt16BE(0xBEEF, at: 0)
        #expect(w.bytes == [0xBE, 0xEF, 0xBF, 0x42])
    }

    @Test func readerThrowsTruncatedPastTheEndWithoutMoving() throws {
        var r = BitReader([0xA5])
        #expect(try r.readBits(3) == 0b101)
        #expect(throws: ChunkError.truncated) { try r.readBits(6) }
        #expect(r.bitPosition == 3)
        #expect(try r.readBits(5) == 0b00101)
        #expect(try r.readBits(0) == 0)
        #expect(throws: ChunkError.truncated) { try r.readBit() }
        #expect(throws: ChunkError.truncated) { try r.readBits(1) }
        #expect(r.bitsRemaining == 0)

        var empty = BitReader([])
        #expect(throws: ChunkError.truncated) { try empty.readBit() }
        #expect(try empty.readBits(0) == 0)
    }

    @Test func readerCanStartAtAByteOffset() throws {
        var r = BitReader([0x00, 0x00, 0xF0], startingAtByte: 2)
        #expect(r.bitPosition == 16 && r.bitsRemaining == 8)
        #expect(try r.readBits(4) == 0xF)
        #expect(try r.readBits(4) == 0)
    }

    @Test func readerReadsAll64BitsAtEveryAlignment() throws {
        let value: UInt64 = 0x8123_4567_89AB_CDEF
        for offset in 0..<8 {
            var w = BitWriter()
            w.writeBits(0, count: offset)
            w.writeBits(value, count: 64)
            var r = BitReader(w.bytes)
            #expect(try r.readBits(offset) == 0)
            #expect(try r.readBits(64) == value, "offset \(offset)")
        }
    }
}
