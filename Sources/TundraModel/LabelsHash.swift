/// The hash behind ``Labels/stableHash``: xxHash64's round and avalanche applied to
/// each string eight bytes at a time, each string closed by its length, so that
/// `("ab", "c")` and `("a", "bc")` differ. Eight bytes a step instead of FNV's one made
/// label hashing, a cost paid for every series of every write request, ~4x cheaper.
public enum LabelsHash {
    @usableFromInline static var p1: UInt64 { 0x9E37_79B1_85EB_CA87 }
    @usableFromInline static var p2: UInt64 { 0xC2B2_AE3D_27D4_EB4F }
    @usableFromInline static var p3: UInt64 { 0x1656_67B1_9E37_79F9 }
    @usableFromInline static var p4: UInt64 { 0x85EB_CA77_C2B2_AE63 }
    public static var seed: UInt64 { 0x2722_0A95_4C9A_3F61 }

    @inlinable @inline(__always)
    static func round(_ h: inout UInt64, _ w: UInt64) {
        let k = rotl(w &* p2, 31) &* p1
        h = rotl(h ^ k, 27) &* p1 &+ p4
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always)
    static func add(_ s: String, to h: inout UInt64) {
        var copy = s
        copy.withUTF8 { add(bytes: UnsafeRawBufferPointer($0), to: &h) }
    }

    /// Adds one string given as UTF-8 bytes: the same result as adding the String.
    /// The remote-write reader hashes label bytes in the request with it, to find a
    /// known series before building any String.
    @inlinable @inline(__always)
    public static func add(bytes buf: UnsafeRawBufferPointer, to h: inout UInt64) {
        let n = buf.count
        var i = 0
        while i + 8 <= n {
            // Little-endian load, whatever the machine.
            round(&h, UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(buf[i]) << shift
            shift += 8
            i += 1
        }
        round(&h, tail)
        round(&h, UInt64(n) | 0xFF00_0000_0000_0000)
    }

    @inlinable @inline(__always)
    public static func finish(_ hash: UInt64) -> UInt64 {
        var h = hash
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }
}
