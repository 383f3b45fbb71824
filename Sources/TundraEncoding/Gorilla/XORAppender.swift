/// Appends samples to an open XOR chunk.
///
/// Prometheus keeps ~120 samples a chunk; the header counts up to 65,535, and
/// ``append(t:v:)`` refuses more (``isFull``).
public struct XORAppender: Sendable {
    private var stream: BitWriter
    public private(set) var count: Int = 0
    private var t: Int64 = 0
    private var tDelta: Int64 = 0
    private var v: UInt64 = 0
    // 0xff = no window yet, so the first XOR always writes one (as xor.go does).
    private var leading: UInt8 = 0xff
    private var trailing: UInt8 = 0

    public static let maxSamples = Int(UInt16.max)

    public init(capacity: Int = 128) {
        stream = BitWriter(bytes: [0, 0])
        stream.reserveCapacity(capacity)
    }

    public var isFull: Bool { count >= XORAppender.maxSamples }
    public var lastTimestamp: Int64? { count == 0 ? nil : t }
    public var lastValueBits: UInt64? { count == 0 ? nil : v }
    /// Encoded size so far, header included.
    public var byteCount: Int { stream.byteCount }

    /// The chunk as encoded so far (a copy). The header's sample count is written
    /// here rather than on every append.
    public var chunk: XORChunk {
        var bytes = stream.bytes
        bytes[0] = UInt8(count >> 8)
        bytes[1] = UInt8(count & 0xff)
        return XORChunk(unchecked: bytes)
    }

    /// Appends a sample. Any timestamp is encoded exactly, even one before the
    /// previous sample; keeping time order is the caller's job.
    public mutating func append(t newT: Int64, v newValue: Double) {
        precondition(!isFull, "XOR chunk holds at most \(XORAppender.maxSamples) samples")
        let bits = newValue.bitPattern
        switch count {
        case 0:
            var buf: [UInt8] = []
            Varint.appendVarint(newT, to: &buf)
            for b in buf { stream.writeBits(UInt64(b), count: 8) }
            stream.writeBits(bits, count: 64)
        case 1:
            let delta = newT &- t
            var buf: [UInt8] = []
            Varint.appendUvarint(UInt64(bitPattern: delta), to: &buf)
            for b in buf { stream.writeBits(UInt64(b), count: 8) }
            writeXOR(bits)
            tDelta = delta
        default:
            let delta = newT &- t
            let dod = delta &- tDelta
            // Gorilla has second resolution; Prometheus stores milliseconds, hence
            // wider buckets than the paper's 7/9/12 bits.
            if dod == 0 {
                stream.writeBit(false)
            } else if XORAppender.fits(dod, bits: 14) {
                stream.writeBits(0b10, count: 2)
                stream.writeBits(UInt64(bitPattern: dod), count: 14)
            } else if XORAppender.fits(dod, bits: 17) {
                stream.writeBits(0b110, count: 3)
                stream.writeBits(UInt64(bitPattern: dod), count: 17)
            } else if XORAppender.fits(dod, bits: 20) {
                stream.writeBits(0b1110, count: 4)
                stream.writeBits(UInt64(bitPattern: dod), count: 20)
            } else {
                stream.writeBits(0b1111, count: 4)
                stream.writeBits(UInt64(bitPattern: dod), count: 64)
            }
            writeXOR(bits)
            tDelta = delta
        }
        t = newT
        v = bits
        count += 1
    }

    /// xor.go's `bitRange`: the range is one wider on the positive side, and the
    /// reader maps the top pattern back to the positive value.
    @inline(__always)
    static func fits(_ x: Int64, bits: Int64) -> Bool {
        -((1 << (bits - 1)) - 1) <= x && x <= 1 << (bits - 1)
    }

    @inline(__always)
    private mutating func writeXOR(_ bits: UInt64) {
        let delta = bits ^ v
        if delta == 0 {
            stream.writeBit(false)
            return
        }
        stream.writeBit(true)
        // 5 bits hold at most 31 leading zeros; more are written as 31.
        let newLeading = UInt8(min(delta.leadingZeroBitCount, 31))
        let newTrailing = UInt8(delta.trailingZeroBitCount)
        if leading != 0xff && newLeading >= leading && newTrailing >= trailing {
            stream.writeBit(false)
            stream.writeBits(delta >> UInt64(trailing), count: 64 - Int(leading) - Int(trailing))
            return
        }
        leading = newLeading
        trailing = newTrailing
        stream.writeBit(true)
        stream.writeBits(UInt64(newLeading), count: 5)
        // 64 significant bits do not fit in 6 bits; they are written as 0, which is
        // otherwise impossible (a zero XOR took the branch above).
        let sig = 64 - Int(newLeading) - Int(newTrailing)
        stream.writeBits(UInt64(sig & 0x3f), count: 6)
        stream.writeBits(delta >> UInt64(newTrailing), count: sig)
    }
}
