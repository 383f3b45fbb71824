import TundraModel

/// Reads an index (format v2) through a ``BlockFileSource``.
///
/// Opening reads four ranges: the header, the TOC, the symbol table and the postings
/// offset table (what Thanos calls the index header). Postings lists and series
/// entries are read on demand, by range.
final class IndexReader: Sendable {
    let file = IndexFormat.fileName
    let source: any BlockFileSource
    let size: Int
    let toc: IndexTOC
    let symbols: [String]
    /// Label name -> its values (sorted by bytes) with where their postings are.
    let postingsTable: [String: [PostingsEntry]]
    /// Where the list of every series is.
    let allPostings: PostingsEntry?

    struct PostingsEntry: Sendable {
        let value: String
        let offset: Int
        /// Where the list probably ends (the next list's start or the end of the
        /// postings area): one range read then usually fetches the whole list.
        let endHint: Int
    }

    init(source: any BlockFileSource) throws(BlockError) {
        self.source = source
        size = try source.size(of: file)
        guard size >= IndexFormat.headerSize + IndexTOC.size else {
            throw BlockError(.corrupt, "index of \(size) bytes is too short to hold a header and a table of contents", file: file, offset: 0)
        }
        var header = ByteDecoder(try source.readExactly(file, range: 0..<IndexFormat.headerSize), fileOffset: 0, file: file)
        let magic = try header.be32()
        guard magic == IndexFormat.magic else {
            throw BlockError(.corrupt, "bad index magic \(hex(magic)), want \(hex(IndexFormat.magic))", file: file, offset: 0)
        }
        let version = try header.byte()
        guard version == IndexFormat.version else {
            throw BlockError(.unsupported, "index format version \(version), this build reads \(IndexFormat.version)", file: file, offset: 4)
        }
        let tocOffset = size - IndexTOC.size
        toc = try IndexTOC(decoding: try source.readExactly(file, range: tocOffset..<size), fileOffset: tocOffset, file: file)

        symbols = try IndexReader.readSymbols(source: source, file: file, toc: toc, tocOffset: tocOffset)
        (postingsTable, allPostings) = try IndexReader.readPostingsTable(source: source, file: file, toc: toc, tocOffset: tocOffset)
    }

    /// Reads a section framed as `len <4b>`, content, CRC32C; returns a decoder over
    /// the content. `end` bounds the first read (a guess at where the section ends).
    static func readSection(
        source: any BlockFileSource, file: String, at offset: Int, end: Int, what: String
    ) throws(BlockError) -> ByteDecoder {
        var bytes = try source.read(file, range: offset..<max(end, offset + 8))
        guard bytes.count >= 4 else {
            throw BlockError(.corrupt, "\(what) runs past the end of the file", file: file, offset: offset)
        }
        var d = ByteDecoder(bytes, fileOffset: offset, file: file)
        let length = Int(try d.be32())
        let total = 4 + length + 4
        if bytes.count < total {
            bytes += try source.readExactly(file, range: offset + bytes.count..<offset + total)
        }
        d = ByteDecoder(bytes, fileOffset: offset, file: file, start: 4, end: 4 + length)
        try d.verifyCRC(from: 4, crcAt: 4 + length, what: what)
        return d
    }

    private static func readSymbols(source: any BlockFileSource, file: String, toc: IndexTOC, tocOffset: Int) throws(BlockError) -> [String] {
        let start = Int(toc.symbols)
        // The series section follows the symbols; read up to it in one go.
        let end = toc.series > toc.symbols && toc.series <= UInt64(tocOffset) ? Int(toc.series) : start + 8
        var d = try readSection(source: source, file: file, at: start, end: end, what: "symbol table")
        let count = Int(try d.be32())
        guard count <= d.remaining else { throw d.error("symbol table claims \(count) symbols in \(d.remaining) bytes") }
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try d.uvarintString()) }
        return out
    }

    private static func readPostingsTable(
        source: any BlockFileSource, file: String, toc: IndexTOC, tocOffset: Int
    ) throws(BlockError) -> ([String: [PostingsEntry]], PostingsEntry?) {
        var d = try readSection(source: source, file: file, at: Int(toc.postingsTable), end: tocOffset, what: "postings offset table")
        let count = Int(try d.be32())
        var raw: [(name: String, value: String, offset: Int)] = []
        raw.reserveCapacity(min(count, d.remaining / 4))
        for _ in 0..<count {
            let keys = try d.uvarint()
            guard keys == 2 else { throw d.error("postings offset table entry with \(keys) keys, want 2") }
            let name = try d.uvarintString()
            let value = try d.uvarintString()
            let offset = try d.uvarint()
            guard offset < UInt64(tocOffset) else { throw d.error("postings offset \(offset) is outside the index") }
            raw.append((name, value, Int(offset)))
        }
        // Lists end at the next list or at the first section after them.
        let boundaries = [toc.labelIndicesTable, toc.postingsTable, UInt64(tocOffset)].map { Int($0) }
        let starts = raw.map(\.offset).sorted()
        func endHint(_ offset: Int) -> Int {
            var end = boundaries.filter { $0 > offset }.min() ?? tocOffset
            var lo = 0
            var hi = starts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid] <= offset { lo = mid + 1 } else { hi = mid }
            }
            if lo < starts.count { end = min(end, starts[lo]) }
            return end
        }
        var table: [String: [PostingsEntry]] = [:]
        var all: PostingsEntry?
        for e in raw {
            let entry = PostingsEntry(value: e.value, offset: e.offset, endHint: endHint(e.offset))
            if e.name.isEmpty && e.value.isEmpty {
                all = entry
            } else {
                table[e.name, default: []].append(entry)
            }
        }
        // Writers emit the table sorted; sort anyway so lookups can bisect without
        // trusting the file.
        for (name, entries) in table where !entries.isSorted {
            table[name] = entries.sorted { ByteOrder.precedes($0.value, $1.value) }
        }
        return (table, all)
    }

    var labelNames: [String] { postingsTable.keys.sorted(by: ByteOrder.precedes) }

    func labelValues(_ name: String) -> [String] { postingsTable[name]?.map(\.value) ?? [] }

    func entry(_ name: String, _ value: String) -> PostingsEntry? {
        guard let entries = postingsTable[name] else { return nil }
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ByteOrder.precedes(entries[mid].value, value) { lo = mid + 1 } else { hi = mid }
        }
        return lo < entries.count && ByteOrder.equal(entries[lo].value, value) ? entries[lo] : nil
    }

    /// The series references of one postings list.
    func postings(_ entry: PostingsEntry) throws(BlockError) -> [UInt32] {
        var d = try IndexReader.readSection(source: source, file: file, at: entry.offset, end: entry.endHint, what: "postings list")
        let count = Int(try d.be32())
        guard count * 4 == d.remaining else { throw d.error("postings list of \(count) entries in \(d.remaining) bytes") }
        var out: [UInt32] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try d.be32()) }
        return out
    }

    /// Every series in the index.
    func allSeries() throws(BlockError) -> [UInt32] {
        guard let allPostings else { return [] }
        return try postings(allPostings)
    }
}

extension Array where Element == IndexReader.PostingsEntry {
    fileprivate var isSorted: Bool {
        var i = 1
        while i < count {
            if !ByteOrder.precedes(self[i - 1].value, self[i].value) { return false }
            i += 1
        }
        return true
    }
}
