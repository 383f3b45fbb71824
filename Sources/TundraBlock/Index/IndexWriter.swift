import TundraModel

/// Writes an index file (format v2) in one pass: header and symbol table at creation,
/// then one series entry per ``addSeries(_:chunks:)`` in label order, then on
/// ``finish()`` the label indices, postings, the two offset tables and the TOC.
///
/// The symbol table comes first in the file, so every symbol must be known up front.
/// Series entries go to the file as they come; what stays in memory until the end is
/// the symbol table and, per label pair, the 4-byte references of its series (the
/// postings), which is the index's own size order, not the chunks'.
final class IndexWriter {
    private enum Stage: String { case series, done }

    let path: String
    private let file: BlockFileWriter
    private var stage = Stage.series
    private var toc = IndexTOC()
    private let symbols: [String]
    private let symbolRefs: [ByteString: UInt32]
    private var lastLabels: Labels?
    /// Label pair (name ref << 32 | value ref) -> series refs, ascending.
    private var postings: [UInt64: [UInt32]] = [:]
    private var allSeries: [UInt32] = []

    /// Creates the file and writes its header and the symbol table. `symbols` must
    /// hold every label name and value of the series to come; order and duplicates
    /// do not matter.
    init(path: String, symbols: some Sequence<String>) throws(BlockError) {
        self.path = path
        let unique = Set(symbols.map(ByteString.init))
        let sorted = unique.map(\.value).sorted(by: ByteOrder.precedes)
        guard sorted.count <= Int(UInt32.max) else { throw BlockError(.invalidInput, "\(sorted.count) symbols exceed 32-bit references", file: path) }
        var refs: [ByteString: UInt32] = [:]
        refs.reserveCapacity(sorted.count)
        for (i, s) in sorted.enumerated() { refs[ByteString(s)] = UInt32(i) }
        self.symbols = sorted
        self.symbolRefs = refs
        file = try BlockFileWriter(path: path)

        var header: [UInt8] = []
        header.appendBE32(IndexFormat.magic)
        header.append(IndexFormat.version)
        try file.write(header)

        toc.symbols = UInt64(file.position)
        var table: [UInt8] = [0, 0, 0, 0]
        table.appendBE32(UInt32(sorted.count))
        for s in sorted { table.appendUvarintString(s) }
        try writeSection(&table, what: "symbol table")
        toc.series = UInt64(file.position)
    }

    /// Finishes a section built as `[len placeholder <4b>][content]`: fills in the
    /// length, appends the CRC32C of the content and writes it.
    private func writeSection(_ section: inout [UInt8], what: String) throws(BlockError) {
        let length = section.count - 4
        guard length <= Int(UInt32.max) else { throw BlockError(.invalidInput, "\(what) of \(length) bytes exceeds 4 GiB", file: path) }
        section.setBE32(UInt32(length), at: 0)
        section.appendCRC32C(from: 4)
        try file.write(section)
    }

    private func symbol(_ s: String) throws(BlockError) -> UInt32 {
        guard let ref = symbolRefs[ByteString(s)] else {
            throw BlockError(.invalidInput, "\"\(s)\" is not in the symbol table given to the index writer", file: path)
        }
        return ref
    }

    /// Adds one series, after every series that sorts before it. Chunk metas must be in
    /// time order without overlap. Returns the series' reference (offset / 16).
    @discardableResult
    func addSeries(_ labels: Labels, chunks: [ChunkMeta]) throws(BlockError) -> UInt32 {
        guard stage == .series else { throw BlockError(.invalidInput, "series added at stage \(stage.rawValue)", file: path) }
        if let last = lastLabels, ByteOrder.compare(labels, last) <= 0 {
            throw BlockError(.invalidInput, "series \(labels) added after \(last): series must come in strictly increasing label order", file: path)
        }
        var entry: [UInt8] = []
        entry.appendUvarint(UInt64(labels.count))
        var pairs: [UInt64] = []
        pairs.reserveCapacity(labels.count)
        var previousName: String?
        for pair in labels {
            if let p = previousName, !ByteOrder.precedes(p, pair.name) {
                throw BlockError(.invalidInput, "labels of \(labels) are not sorted by name with unique names", file: path)
            }
            previousName = pair.name
            let n = try symbol(pair.name)
            let v = try symbol(pair.value)
            entry.appendUvarint(UInt64(n))
            entry.appendUvarint(UInt64(v))
            pairs.append(UInt64(n) << 32 | UInt64(v))
        }
        try appendChunkMetas(chunks, labels: labels, to: &entry)

        try file.pad(to: IndexFormat.seriesAlignment)
        let ref = file.position / IndexFormat.seriesAlignment
        guard ref <= Int(UInt32.max) else { throw BlockError(.invalidInput, "index exceeds 64 GiB of series", file: path) }
        var record: [UInt8] = []
        record.reserveCapacity(entry.count + 14)
        record.appendUvarint(UInt64(entry.count))
        let start = record.count
        record.append(contentsOf: entry)
        record.appendCRC32C(from: start)
        try file.write(record)

        let seriesRef = UInt32(ref)
        allSeries.append(seriesRef)
        for p in pairs { postings[p, default: []].append(seriesRef) }
        lastLabels = labels
        return seriesRef
    }

    private func appendChunkMetas(_ chunks: [ChunkMeta], labels: Labels, to entry: inout [UInt8]) throws(BlockError) {
        entry.appendUvarint(UInt64(chunks.count))
        var previous: ChunkMeta?
        for c in chunks {
            guard c.maxTime >= c.minTime else {
                throw BlockError(.invalidInput, "chunk of \(labels) has maxTime \(c.maxTime) before minTime \(c.minTime)", file: path)
            }
            if let p = previous {
                guard c.minTime > p.maxTime else {
                    throw BlockError(.invalidInput, "chunks of \(labels) overlap or are out of order: \(c.minTime) after \(p.maxTime)", file: path)
                }
                guard c.ref >= p.ref else { throw BlockError(.invalidInput, "chunk references of \(labels) go backwards", file: path) }
                entry.appendUvarint(UInt64(c.minTime - p.maxTime))
                entry.appendUvarint(UInt64(c.maxTime - c.minTime))
                entry.appendVarint(Int64(bitPattern: c.ref.rawValue &- p.ref.rawValue))
            } else {
                entry.appendVarint(c.minTime)
                entry.appendUvarint(UInt64(c.maxTime - c.minTime))
                entry.appendUvarint(c.ref.rawValue)
            }
            previous = c
        }
    }

    /// Writes everything after the series and syncs the file.
    func finish() throws(BlockError) {
        guard stage == .series else { throw BlockError(.invalidInput, "index finished twice", file: path) }
        stage = .done
        let keys = postings.keys.sorted()
        let nameRefs = keys.reduce(into: [UInt32]()) { names, key in
            let n = UInt32(key >> 32)
            if names.last != n { names.append(n) }
        }

        // Label indices: Prometheus 2.x readers no longer need them, but older ones
        // and some tools do, and they cost one value list per name.
        try file.pad(to: IndexFormat.postingsAlignment)
        toc.labelIndices = UInt64(file.position)
        var labelIndexOffsets: [(name: UInt32, offset: Int)] = []
        var k = 0
        for n in nameRefs {
            try file.pad(to: IndexFormat.postingsAlignment)
            labelIndexOffsets.append((n, file.position))
            var section: [UInt8] = [0, 0, 0, 0]
            section.appendBE32(1)  // names per entry
            let countAt = section.count
            section.appendBE32(0)
            var count: UInt32 = 0
            while k < keys.count && UInt32(keys[k] >> 32) == n {
                section.appendBE32(UInt32(truncatingIfNeeded: keys[k]))
                count += 1
                k += 1
            }
            section.setBE32(count, at: countAt)
            try writeSection(&section, what: "label index")
        }

        try file.pad(to: IndexFormat.postingsAlignment)
        toc.postings = UInt64(file.position)
        var postingsOffsets: [(key: UInt64?, offset: Int)] = []
        postingsOffsets.reserveCapacity(keys.count + 1)
        postingsOffsets.append((nil, try writePostings(allSeries)))
        for key in keys { postingsOffsets.append((key, try writePostings(postings[key] ?? []))) }
        postings = [:]

        toc.labelIndicesTable = UInt64(file.position)
        var table: [UInt8] = [0, 0, 0, 0]
        table.appendBE32(UInt32(labelIndexOffsets.count))
        for (n, offset) in labelIndexOffsets {
            table.appendUvarint(1)
            table.appendUvarintString(symbols[Int(n)])
            table.appendUvarint(UInt64(offset))
        }
        try writeSection(&table, what: "label offset table")

        toc.postingsTable = UInt64(file.position)
        table = [0, 0, 0, 0]
        table.appendBE32(UInt32(postingsOffsets.count))
        for (key, offset) in postingsOffsets {
            table.appendUvarint(2)
            table.appendUvarintString(key.map { symbols[Int($0 >> 32)] } ?? IndexFormat.allPostingsName)
            table.appendUvarintString(key.map { symbols[Int(UInt32(truncatingIfNeeded: $0))] } ?? IndexFormat.allPostingsValue)
            table.appendUvarint(UInt64(offset))
        }
        try writeSection(&table, what: "postings offset table")

        try file.write(toc.encoded())
        try file.finish()
    }

    private func writePostings(_ refs: [UInt32]) throws(BlockError) -> Int {
        try file.pad(to: IndexFormat.postingsAlignment)
        let offset = file.position
        var section: [UInt8] = [0, 0, 0, 0]
        section.reserveCapacity(12 + refs.count * 4)
        section.appendBE32(UInt32(refs.count))
        for r in refs { section.appendBE32(r) }
        try writeSection(&section, what: "postings list")
        return offset
    }
}
