import TundraEncoding

/// The framing of WAL segment files; see `docs/format/wal.md`.
///
/// ```
/// segment: magic "TWAL" <4b> | version <1b> | reserved <3b, zero> | record*
/// record:  type <1b> | length <4b BE> | crc32c <4b BE> | payload <length bytes>
/// ```
/// The CRC covers type, length and payload.
enum WALSegment {
    static let magic: [UInt8] = [0x54, 0x57, 0x41, 0x4C]  // "TWAL"
    static let version: UInt8 = 1
    static let headerSize = 8
    static let frameSize = 9
    /// A bound on one record, so a corrupt length cannot make the reader allocate
    /// or skip gigabytes.
    static let maxRecordSize = 256 << 20

    static var header: [UInt8] { magic + [version, 0, 0, 0] }

    static func name(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    static func index(ofName name: String) -> Int? {
        guard name.count == 8, name.allSatisfy(\.isASCII), name.allSatisfy(\.isNumber) else { return nil }
        return Int(name)
    }

    /// Appends one framed record to `out`.
    static func frame(_ record: WALRecord, into out: inout [UInt8]) {
        let start = out.count
        out.append(record.kind.rawValue)
        out.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        record.encodePayload(into: &out)
        let length = UInt32(out.count - start - frameSize)
        for k in 0..<4 { out[start + 1 + k] = UInt8(truncatingIfNeeded: length >> UInt32(24 - 8 * k)) }
        let crc = out.withUnsafeBytes { buf in
            let typeAndLength = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[start..<start + 5]))
            return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[(start + frameSize)...]), continuing: typeAndLength)
        }
        for k in 0..<4 { out[start + 5 + k] = UInt8(truncatingIfNeeded: crc >> UInt32(24 - 8 * k)) }
    }

    /// What reading one segment found.
    struct ReadResult {
        var records: [WALRecord] = []
        /// Offset just past the last good record: where a torn tail starts.
        var goodEnd: Int
        /// Why reading stopped before the end, if it did.
        var corruption: String?
    }

    /// Reads the records of one segment's bytes, stopping at the first bad frame.
    static func read(_ bytes: [UInt8], visit: (WALRecord) -> Void) -> (goodEnd: Int, corruption: String?) {
        guard bytes.count >= headerSize else {
            return (0, bytes.isEmpty ? nil : "segment header truncated (\(bytes.count) bytes)")
        }
        guard Array(bytes[0..<4]) == magic else { return (0, "bad magic: not a Tundra WAL segment") }
        guard bytes[4] == version else { return (0, "unknown WAL segment version \(bytes[4]); this version reads 1") }
        var off = headerSize
        return bytes.withUnsafeBytes { buf in
            while off < buf.count {
                guard buf.count - off >= frameSize else { return (off, "record frame truncated at offset \(off)") }
                let type = buf[off]
                if type == 0 && buf[off...].allSatisfy({ $0 == 0 }) {
                    // Zero fill after the last record (preallocated or torn page): a clean end.
                    return (off, "zero-filled tail at offset \(off)")
                }
                var length = 0
                for k in 1...4 { length = length << 8 | Int(buf[off + k]) }
                var crc: UInt32 = 0
                for k in 5...8 { crc = crc << 8 | UInt32(buf[off + k]) }
                guard length <= maxRecordSize, buf.count - off - frameSize >= length else {
                    return (off, "record at offset \(off) claims \(length) bytes, \(buf.count - off - frameSize) remain")
                }
                let payload = UnsafeRawBufferPointer(rebasing: buf[(off + frameSize)..<(off + frameSize + length)])
                let actual = CRC32C.checksum(payload, continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[off..<off + 5])))
                guard actual == crc else { return (off, "checksum mismatch in record at offset \(off)") }
                guard let record = WALRecord.decode(kind: type, payload: payload) else {
                    return (off, "malformed record of type \(type) at offset \(off)")
                }
                visit(record)
                off += frameSize + length
            }
            return (off, nil)
        }
    }
}
