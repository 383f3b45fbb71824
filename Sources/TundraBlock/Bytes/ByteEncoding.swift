import TundraEncoding

/// Appending the fixed-width and variable-width integers of the block formats.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendBE32(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v >> 24))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    mutating func appendBE64(_ v: UInt64) {
        appendBE32(UInt32(truncatingIfNeeded: v >> 32))
        appendBE32(UInt32(truncatingIfNeeded: v))
    }

    @inline(__always)
    mutating func appendUvarint(_ v: UInt64) { Varint.appendUvarint(v, to: &self) }

    @inline(__always)
    mutating func appendVarint(_ v: Int64) { Varint.appendVarint(v, to: &self) }

    /// A string as `len <uvarint>` then its UTF-8 bytes.
    mutating func appendUvarintString(_ s: String) {
        appendUvarint(UInt64(s.utf8.count))
        append(contentsOf: s.utf8)
    }

    /// Overwrites 4 bytes at `index` with a big-endian value (lengths known only after
    /// their section is built).
    mutating func setBE32(_ v: UInt32, at index: Int) {
        self[index] = UInt8(truncatingIfNeeded: v >> 24)
        self[index + 1] = UInt8(truncatingIfNeeded: v >> 16)
        self[index + 2] = UInt8(truncatingIfNeeded: v >> 8)
        self[index + 3] = UInt8(truncatingIfNeeded: v)
    }

    /// Appends the CRC32C of `self[from...]`, big-endian.
    mutating func appendCRC32C(from start: Int) {
        let crc = withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        appendBE32(crc)
    }
}
