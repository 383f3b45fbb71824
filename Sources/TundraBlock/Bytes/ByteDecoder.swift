import TundraEncoding

/// Reads the integers and strings of the block formats from bytes read out of a file,
/// turning every overrun into a ``BlockError`` that names the file and the absolute
/// offset, so no corrupt input can crash a reader.
struct ByteDecoder {
    let bytes: [UInt8]
    /// Where `bytes[0]` sits in the file, for error messages.
    let fileOffset: Int
    let file: String
    private(set) var position: Int
    /// Decoding stops here (exclusive); sections end before their checksum.
    let end: Int

    init(_ bytes: [UInt8], fileOffset: Int, file: String, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.fileOffset = fileOffset
        self.file = file
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { end - position }
    var absolutePosition: Int { fileOffset + position }

    func error(_ message: String, _ code: BlockError.Code = .corrupt) -> BlockError {
        BlockError(code, message, file: file, offset: absolutePosition)
    }

    private func need(_ n: Int, _ what: String) throws(BlockError) {
        guard n >= 0, n <= remaining else { throw error("\(what) needs \(n) bytes, \(remaining) left") }
    }

    mutating func skip(_ n: Int) throws(BlockError) {
        try need(n, "skip")
        position += n
    }

    mutating func be32() throws(BlockError) -> UInt32 {
        try need(4, "32-bit integer")
        let b = bytes
        let p = position
        position += 4
        return UInt32(b[p]) << 24 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 8 | UInt32(b[p + 3])
    }

    mutating func be64() throws(BlockError) -> UInt64 {
        let hi = try be32()
        return UInt64(hi) << 32 | UInt64(try be32())
    }

    mutating func byte() throws(BlockError) -> UInt8 {
        try need(1, "byte")
        position += 1
        return bytes[position - 1]
    }

    mutating func uvarint() throws(BlockError) -> UInt64 {
        var i = position
        let limit = end
        let v: UInt64? = bytes.withUnsafeBytes { Varint.readUvarint(UnsafeRawBufferPointer(rebasing: $0[..<limit]), at: &i) }
        guard let v else { throw error("bad or truncated varint") }
        position = i
        return v
    }

    mutating func varint() throws(BlockError) -> Int64 { Varint.unzigzag(try uvarint()) }

    /// A uvarint that must fit a UInt32 (symbol references).
    mutating func uvarint32() throws(BlockError) -> UInt32 {
        let v = try uvarint()
        guard v <= UInt64(UInt32.max) else { throw error("value \(v) does not fit 32 bits") }
        return UInt32(v)
    }

    /// `len <uvarint>` then that many UTF-8 bytes.
    mutating func uvarintString() throws(BlockError) -> String {
        let n = try uvarint()
        guard n <= UInt64(remaining) else { throw error("string of \(n) bytes, \(remaining) left") }
        let s = String(decoding: bytes[position..<position + Int(n)], as: UTF8.self)
        position += Int(n)
        return s
    }

    /// Checks that the big-endian CRC32C stored at `crcAt` covers `bytes[from..<crcAt]`.
    func verifyCRC(from start: Int, crcAt: Int, what: String) throws(BlockError) {
        guard start >= 0, crcAt >= start, crcAt + 4 <= bytes.count else {
            throw BlockError(.corrupt, "\(what) runs past the end of the data read", file: file, offset: fileOffset + start)
        }
        let stored = UInt32(bytes[crcAt]) << 24 | UInt32(bytes[crcAt + 1]) << 16 | UInt32(bytes[crcAt + 2]) << 8 | UInt32(bytes[crcAt + 3])
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<crcAt])) }
        guard stored == actual else {
            throw BlockError(
                .checksum, "\(what) checksum mismatch: stored \(hex(stored)), computed \(hex(actual))", file: file, offset: fileOffset + crcAt)
        }
    }
}

func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: true) }
