/// Reads bits, most significant first, from a byte array; the reading side of
/// ``BitWriter``. Reading past the end throws ``ChunkError/truncated``, so a corrupt
/// stream ends in an error, never a crash.
public struct BitReader: Sendable {
    private let bytes: [UInt8]
    /// Index of the next unread bit.
    public private(set) var bitPosition: Int
    private let bitCount: Int

    public init(_ bytes: [UInt8], startingAtByte start: Int = 0) {
        self.bytes = bytes
        self.bitPosition = start * 8
        self.bitCount = bytes.count * 8
    }

    public var bitsRemaining: Int { bitCount - bitPosition }

    @inline(__always)
    public mutating func readBit() throws(ChunkError) -> Bool {
        guard bitPosition < bitCount else { throw .truncated }
        let byte = bytes[bitPosition >> 3]
        let bit = (byte >> UInt8(7 - (bitPosition & 7))) & 1
        bitPosition += 1
        return bit == 1
    }

    /// Reads `count` bits (0...64) as an unsigned big-endian number.
    @inline(__always)
    public mutating func readBits(_ count: Int) throws(ChunkError) -> UInt64 {
        guard count <= bitCount - bitPosition else { throw .truncated }
        var out: UInt64 = 0
        var remaining = count
        // Head: finish the partly read byte; body: whole bytes; tail: high bits of one byte.
        let used = bitPosition & 7
        if used != 0 && remaining > 0 {
            let avail = 8 - used
            let take = min(avail, remaining)
            let byte = UInt64(bytes[bitPosition >> 3])
            out = (byte >> UInt64(avail - take)) & ((1 << UInt64(take)) - 1)
            bitPosition += take
            remaining -= take
        }
        while remaining >= 8 {
            out = (out << 8) | UInt64(bytes[bitPosition >> 3])
            bitPosition += 8
            remaining -= 8
        }
        if remaining > 0 {
            let byte = UInt64(bytes[bitPosition >> 3])
            out = (out << UInt64(remaining)) | (byte >> UInt64(8 - remaining))
            bitPosition += remaining
        }
        return out
    }

    /// Reads a Go-style unsigned varint from a byte-aligned position.
    public mutating func readUvarint() throws(ChunkError) -> UInt64 {
        guard bitPosition & 7 == 0 else { throw .corrupt("varint at unaligned bit \(bitPosition)") }
        var index = bitPosition >> 3
        let value = bytes.withUnsafeBytes { Varint.readUvarint($0, at: &index) }
        guard let v = value else { throw .truncated }
        bitPosition = index * 8
        return v
    }

    /// Reads a Go-style zigzag varint from a byte-aligned position.
    public mutating func readVarint() throws(ChunkError) -> Int64 {
        Varint.unzigzag(try readUvarint())
    }
}
