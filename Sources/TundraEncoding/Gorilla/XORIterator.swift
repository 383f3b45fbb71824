import TundraModel

/// Decodes an XOR chunk sample by sample. Every read is bounds-checked and the
/// header bounds the sample count, so a corrupt chunk ends in a ``ChunkError``
/// after at most 65,535 steps.
public struct XORIterator: Sendable {
    private var reader: BitReader
    private let total: Int
    private var read = 0
    private var t: Int64 = 0
    private var tDelta: Int64 = 0
    private var v: UInt64 = 0
    // The XOR window starts as (0, 0), as in xor.go's iterator, not 0xff like the
    // appender's: Prometheus' `XORChunk.Appender()` reopens a chunk with the iterator's
    // window, so a chunk whose values had not changed yet continues with '10' + all
    // 64 bits before any window was written. Those chunks must read back.
    private var leading: UInt8 = 0
    private var trailing: UInt8 = 0
    private var buffered: Sample?

    init(_ bytes: [UInt8]) {
        total = bytes.count >= 2 ? Int(bytes[0]) << 8 | Int(bytes[1]) : 0
        reader = BitReader(bytes, startingAtByte: min(2, bytes.count))
    }

    /// The next sample, or nil after the last.
    public mutating func next() throws(ChunkError) -> Sample? {
        if let b = buffered {
            buffered = nil
            return b
        }
        guard read < total else { return nil }
        switch read {
        case 0:
            t = try reader.readVarint()
            v = try reader.readBits(64)
        case 1:
            tDelta = Int64(bitPattern: try reader.readUvarint())
            t = t &+ tDelta
            try readXOR()
        default:
            var prefix = 0
            for _ in 0..<4 {
                prefix <<= 1
                if !(try reader.readBit()) { break }
                prefix |= 1
            }
            var dod: Int64 = 0
            switch prefix {
            case 0b0: dod = 0
            case 0b10: dod = try readSigned(14)
            case 0b110: dod = try readSigned(17)
            case 0b1110: dod = try readSigned(20)
            default: dod = Int64(bitPattern: try reader.readBits(64))
            }
            tDelta = tDelta &+ dod
            t = t &+ tDelta
            try readXOR()
        }
        read += 1
        return Sample(t: t, v: Double(bitPattern: v))
    }

    /// Skips to the first sample at or after `target`; returns it, or nil when the
    /// chunk has none. The sample stays current: the next ``next()`` returns it again.
    public mutating func seek(_ target: Int64) throws(ChunkError) -> Sample? {
        if let b = buffered, b.t >= target { return b }
        buffered = nil
        while let s = try next() {
            if s.t >= target {
                buffered = s
                return s
            }
        }
        return nil
    }

    @inline(__always)
    private mutating func readSigned(_ size: Int) throws(ChunkError) -> Int64 {
        var bits = try reader.readBits(size)
        // Values above 2^(size-1) are negative numbers in `size`-bit two's complement.
        if bits > (UInt64(1) << UInt64(size - 1)) { bits = bits &- (UInt64(1) << UInt64(size)) }
        return Int64(bitPattern: bits)
    }

    @inline(__always)
    private mutating func readXOR() throws(ChunkError) {
        guard try reader.readBit() else { return }
        let sig: Int
        if try reader.readBit() {
            let newLeading = Int(try reader.readBits(5))
            var bits = Int(try reader.readBits(6))
            if bits == 0 { bits = 64 }
            guard newLeading + bits <= 64 else {
                throw .corrupt("\(newLeading) leading zeros and \(bits) significant bits exceed 64 at sample \(read)")
            }
            leading = UInt8(newLeading)
            trailing = UInt8(64 - newLeading - bits)
            sig = bits
        } else {
            sig = 64 - Int(leading) - Int(trailing)
        }
        let bits = try reader.readBits(sig)
        v ^= bits << UInt64(trailing)
    }
}
