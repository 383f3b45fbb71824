/// Appends bits, most significant first, to a growing byte array.
///
/// The layout is Prometheus' `bstream`: bits fill each byte from its high end, and
/// the last byte may be partly used (``freeBits`` tells how much is left).
///
/// Bits gather in a 64-bit register and go out a whole word at a time, appended as one
/// element to an array of words: the profile of remote-write ingest had a quarter of
/// its time in appending to a byte array byte by byte (a uniqueness and capacity
/// check for each), and a tenth in appending eight bytes through the generic
/// `append(contentsOf:)`. ``bytes`` assembles the stream on demand, so reading it
/// costs a copy; the head reads it only when a chunk is closed or a query takes a
/// snapshot.
public struct BitWriter: Sendable {
    /// Words already out of the register, each holding eight stream bytes, the
    /// first in its high byte.
    private var words: [UInt64] = []
    /// Pending bits, left-aligned: the next bit to go out is bit 63.
    private var register: UInt64 = 0
    /// How many bits of `register` are pending (0..<64).
    private var pending: Int = 0

    public init(bytes: [UInt8] = [], freeBits: Int = 0) {
        precondition((0..<8).contains(freeBits) && (freeBits == 0 || !bytes.isEmpty), "freeBits must be 0...7 with a last byte")
        let bitCount = bytes.count * 8 - freeBits
        var i = 0
        while i < bytes.count {
            var w: UInt64 = 0
            for k in 0..<8 where i + k < bytes.count { w |= UInt64(bytes[i + k]) << UInt64(56 - 8 * k) }
            if bitCount - i * 8 >= 64 {
                words.append(w)
            } else {
                register = w
                pending = bitCount - i * 8
            }
            i += 8
        }
    }

    /// The stream so far; the last byte's unused low bits are zero.
    public var bytes: [UInt8] {
        let n = byteCount
        return [UInt8](unsafeUninitializedCapacity: n) { buf, count in
            let raw = UnsafeMutableRawBufferPointer(buf)
            var at = 0
            for w in words {
                raw.storeBytes(of: w.bigEndian, toByteOffset: at, as: UInt64.self)
                at += 8
            }
            for k in 0..<(n - at) { raw[at + k] = UInt8(truncatingIfNeeded: register >> UInt64(56 - 8 * k)) }
            count = n
        }
    }

    /// Bytes in the stream, the partly used last one included.
    public var byteCount: Int { words.count * 8 + (pending + 7) / 8 }

    /// Unused low bits of the last byte (0 when the last byte is full or there is none).
    public var freeBits: Int { (8 - pending % 8) % 8 }

    public mutating func reserveCapacity(_ n: Int) { words.reserveCapacity((n + 7) / 8) }

    @inline(__always)
    public mutating func writeBit(_ bit: Bool) {
        writeBits(bit ? 1 : 0, count: 1)
    }

    /// Writes the low `count` bits of `value` (0...64), most significant first.
    @inline(__always)
    public mutating func writeBits(_ value: UInt64, count: Int) {
        guard count > 0 else { return }
        let aligned = count == 64 ? value : value &<< UInt64(64 - count)
        let space = 64 - pending
        register |= pending == 0 ? aligned : aligned &>> UInt64(pending)
        if count < space {
            pending += count
            return
        }
        flushRegister()
        let rest = count - space
        if rest > 0 {
            register = aligned &<< UInt64(space)
            pending = rest
        }
    }

    /// Moves a full register to the array in one append.
    @inline(__always)
    private mutating func flushRegister() {
        words.append(register)
        register = 0
        pending = 0
    }

    /// Appends whole bytes; only valid when the stream is byte-aligned.
    public mutating func writeAlignedBytes(_ b: some Sequence<UInt8>) {
        precondition(freeBits == 0, "writeAlignedBytes on an unaligned stream")
        for byte in b { writeBits(UInt64(byte), count: 8) }
    }

    /// Overwrites two bytes at `offset` with a big-endian UInt16 (the chunk header).
    public mutating func setUInt16BE(_ value: UInt16, at offset: Int) {
        setByte(UInt8(value >> 8), at: offset)
        setByte(UInt8(value & 0xff), at: offset + 1)
    }

    private mutating func setByte(_ byte: UInt8, at offset: Int) {
        precondition(offset < byteCount, "setUInt16BE past the end of the stream")
        let shift = UInt64(56 - 8 * (offset % 8))
        let mask = ~(UInt64(0xff) << shift)
        if offset / 8 < words.count {
            words[offset / 8] = (words[offset / 8] & mask) | (UInt64(byte) << shift)
        } else {
            register = (register & mask) | (UInt64(byte) << shift)
        }
    }
}
