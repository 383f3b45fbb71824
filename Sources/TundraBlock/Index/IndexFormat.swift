/// The constants of the index file (Prometheus index format v2).
public enum IndexFormat {
    public static let fileName = "index"
    public static let magic: UInt32 = 0xBAAA_D700
    /// Version 2: symbols referenced by their position in the sorted table, series
    /// referenced by offset / 16. Version 1 (offsets everywhere) and 3 (Prometheus'
    /// re-encoded postings, never written by 2.x) are refused.
    public static let version: UInt8 = 2
    /// magic and version.
    public static let headerSize = 5
    /// Series entries start on multiples of this, so a 32-bit reference (offset / 16)
    /// addresses 64 GiB of index.
    public static let seriesAlignment = 16
    /// Postings lists start on multiples of this.
    public static let postingsAlignment = 4
    /// The label pair under which the postings of every series are listed.
    public static let allPostingsName = ""
    public static let allPostingsValue = ""
}

/// The table of contents at the end of the index: where each section starts.
struct IndexTOC: Equatable {
    var symbols: UInt64 = 0
    var series: UInt64 = 0
    var labelIndices: UInt64 = 0
    var labelIndicesTable: UInt64 = 0
    var postings: UInt64 = 0
    var postingsTable: UInt64 = 0

    /// Six 8-byte offsets and a CRC32C of them.
    static let size = 6 * 8 + 4

    func encoded() -> [UInt8] {
        var b: [UInt8] = []
        for v in [symbols, series, labelIndices, labelIndicesTable, postings, postingsTable] { b.appendBE64(v) }
        b.appendCRC32C(from: 0)
        return b
    }

    /// Parses the last ``size`` bytes of an index file that starts at `fileOffset`.
    init(decoding bytes: [UInt8], fileOffset: Int, file: String) throws(BlockError) {
        guard bytes.count == IndexTOC.size else {
            throw BlockError(.corrupt, "table of contents is \(bytes.count) bytes, want \(IndexTOC.size)", file: file, offset: fileOffset)
        }
        var d = ByteDecoder(bytes, fileOffset: fileOffset, file: file)
        try d.verifyCRC(from: 0, crcAt: IndexTOC.size - 4, what: "table of contents")
        symbols = try d.be64()
        series = try d.be64()
        labelIndices = try d.be64()
        labelIndicesTable = try d.be64()
        postings = try d.be64()
        postingsTable = try d.be64()
        let end = UInt64(fileOffset)
        for (name, v) in [("symbols", symbols), ("postings offset table", postingsTable)] where v < UInt64(IndexFormat.headerSize) || v >= end {
            throw BlockError(.corrupt, "table of contents points the \(name) to \(v), outside the index", file: file, offset: fileOffset)
        }
    }

    init() {}
}
