/// Appends bits, most significant first, to a growing byte array.
///
/// The layout is Prometheus' `bstream`: bits fill each byte from its high end, and
/// the last byte may be partly used (``freeBits`` tells how much is left).
public struct BitWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Unused low bits of the last byte (0 when the last byte is full or there is none).
    public private(set) var freeBits: Int = 0

    public init(bytes: [UInt8] = [], freeBits: Int = 0) {
        self.bytes = bytes
        self.freeBits = freeBits
    }

    public mutating func reserveCapacity(_ n: Int) { bytes.reserveCapacity(n) }

    @inline(__always)
    public mutating func writeBit(_ bit: Bool) {
        if freeBits == 0 {
            bytes.append(0)
            freeBits = 8
        }
        freeBits -= 1
        if bit { bytes[bytes.count - 1] |= UInt8(1) << UInt8(freeBits) }
    }

    /// Writes the low `count` bits of `value` (0...64), most significant first.
    @inline(__always)
    public mutating func writeBits(_ value: UInt64, count: Int) {
        guard count > 0 else { return }
        // Left-align the bits so each step takes the top byte: first the free low bits
        // of the last byte, then whole bytes, then a last partial byte.
        var v = value << UInt64(64 - count)
        var remaining = count
        if freeBits > 0 {
            let take = min(freeBits, remaining)
            let top = UInt8(truncatingIfNeeded: v >> 56)
            bytes[bytes.count - 1] |= top >> UInt8(8 - freeBits)
            freeBits -= take
            remaining -= take
            v = take == 64 ? 0 : v << UInt64(take)
        }
        while remaining > 0 {
            bytes.append(UInt8(truncatingIfNeeded: v >> 56))
            let take = min(8, remaining)
            remaining -= take
            freeBits = 8 - take
            v <<= 8
        }
    }

    /// Appends whole bytes; only valid when the stream is byte-aligned.
    public mutating func writeAlignedBytes(_ b: some Sequence<UInt8>) {
        precondition(freeBits == 0, "writeAlignedBytes on an unaligned stream")
        bytes.append(contentsOf: b)
    }

    /// Overwrites two bytes at `offset` with a big-endian UInt16 (the chunk header).
    public mutating func setUInt16BE(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(value & 0xff)
    }
}
