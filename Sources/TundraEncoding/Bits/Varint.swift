/// Varints as Go's `encoding/binary` writes them (`PutUvarint`, `PutVarint`): 7 bits a
/// byte, low group first, high bit set on all but the last byte; signed values
/// zigzag-encoded. Prometheus' chunk and index formats use them.
public enum Varint {
    public static let maxLength = 10

    @inline(__always)
    public static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inline(__always)
    public static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    @inline(__always)
    public static func appendUvarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    @inline(__always)
    public static func appendVarint(_ value: Int64, to out: inout [UInt8]) {
        appendUvarint(zigzag(value), to: &out)
    }

    /// Decodes an unsigned varint at `index`, advancing it; nil when the buffer ends
    /// first or the varint is longer than 10 bytes / overflows 64 bits.
    @inline(__always)
    public static func readUvarint(_ bytes: UnsafeRawBufferPointer, at index: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = index
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b < 0x80 {
                if shift == 63 && b > 1 { return nil }
                index = i
                return result | (UInt64(b) << shift)
            }
            result |= UInt64(b & 0x7f) << shift
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    public static func readVarint(_ bytes: UnsafeRawBufferPointer, at index: inout Int) -> Int64? {
        readUvarint(bytes, at: &index).map(unzigzag)
    }
}

extension Varint {
    /// Writes an unsigned varint at `index` of a buffer with room for 10 bytes there;
    /// returns the index after it. For encoders that size their buffer up front.
    @inline(__always)
    public static func putUvarint(_ value: UInt64, into buf: UnsafeMutableRawBufferPointer, at index: Int) -> Int {
        var v = value
        var i = index
        while v >= 0x80 {
            buf[i] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            i += 1
        }
        buf[i] = UInt8(v)
        return i + 1
    }
}
