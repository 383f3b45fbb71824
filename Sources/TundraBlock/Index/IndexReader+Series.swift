import TundraModel

extension IndexReader {
    /// Bytes read past a series' start when its length is not yet known; most series
    /// entries (a few labels, a dozen chunks) fit.
    static let seriesReadAhead = 512
    /// Series closer than this to one another are fetched in one range read.
    static let seriesCoalesceSpan = 1 << 20

    /// Reads the series `refs` (ascending), keeping only chunks that overlap
    /// [minTime, maxTime] and dropping series left with none.
    func series(_ refs: [UInt32], minTime: Int64 = .min, maxTime: Int64 = .max) throws(BlockError) -> [BlockSeries] {
        var out: [BlockSeries] = []
        out.reserveCapacity(refs.count)
        var buffer: [UInt8] = []
        var bufferStart = 0
        var i = 0
        while i < refs.count {
            let offset = Int(refs[i]) * IndexFormat.seriesAlignment
            guard offset >= IndexFormat.headerSize, offset < size else {
                throw BlockError(.corrupt, "series reference \(refs[i]) points outside the index", file: file, offset: offset)
            }
            if offset < bufferStart || offset + 10 > bufferStart + buffer.count {
                // Fetch this series and those following it within the span at once.
                var last = offset
                var j = i + 1
                while j < refs.count, Int(refs[j]) * IndexFormat.seriesAlignment - offset < IndexReader.seriesCoalesceSpan {
                    last = Int(refs[j]) * IndexFormat.seriesAlignment
                    j += 1
                }
                buffer = try source.read(file, range: offset..<min(last + IndexReader.seriesReadAhead, size))
                bufferStart = offset
            }
            var d = ByteDecoder(buffer, fileOffset: bufferStart, file: file, start: offset - bufferStart)
            let length = Int(try d.uvarint())
            let contentStart = d.position
            guard length <= size - offset else { throw d.error("series entry of \(length) bytes runs past the end of the index") }
            if contentStart + length + 4 > buffer.count {
                buffer = try source.readExactly(file, range: offset..<offset + (contentStart - (offset - bufferStart)) + length + 4)
                bufferStart = offset
                continue
            }
            try d.verifyCRC(from: contentStart, crcAt: contentStart + length, what: "series")
            var content = ByteDecoder(buffer, fileOffset: bufferStart, file: file, start: contentStart, end: contentStart + length)
            if let s = try decodeSeries(&content, ref: refs[i], minTime: minTime, maxTime: maxTime) { out.append(s) }
            i += 1
        }
        return out
    }

    private func decodeSeries(_ d: inout ByteDecoder, ref: UInt32, minTime: Int64, maxTime: Int64) throws(BlockError) -> BlockSeries? {
        let labelCount = try d.uvarint()
        guard labelCount <= UInt64(d.remaining / 2) else { throw d.error("series claims \(labelCount) labels") }
        var pairs: [Label] = []
        pairs.reserveCapacity(Int(labelCount))
        for _ in 0..<labelCount {
            let n = try d.uvarint32()
            let v = try d.uvarint32()
            guard Int(n) < symbols.count, Int(v) < symbols.count else {
                throw d.error("label symbol reference \(max(n, v)) beyond the \(symbols.count) symbols")
            }
            pairs.append(Label(symbols[Int(n)], symbols[Int(v)]))
        }
        let chunkCount = try d.uvarint()
        guard chunkCount <= UInt64(d.remaining / 3) else { throw d.error("series claims \(chunkCount) chunks") }
        var chunks: [ChunkMeta] = []
        var previousMax: Int64 = 0
        var previousRef: UInt64 = 0
        for k in 0..<chunkCount {
            let minT: Int64
            let ref: UInt64
            if k == 0 {
                minT = try d.varint()
                let span = try d.uvarint()
                let maxT = minT &+ Int64(bitPattern: span)
                ref = try d.uvarint()
                previousMax = maxT
            } else {
                minT = previousMax &+ Int64(bitPattern: try d.uvarint())
                previousMax = minT &+ Int64(bitPattern: try d.uvarint())
                ref = previousRef &+ UInt64(bitPattern: try d.varint())
            }
            previousRef = ref
            let maxT = previousMax
            if maxT >= minTime && minT <= maxTime {
                chunks.append(ChunkMeta(ref: ChunkRef(rawValue: ref), minTime: minT, maxTime: maxT))
            }
        }
        if chunks.isEmpty && chunkCount > 0 { return nil }
        if chunkCount == 0 && (minTime != .min || maxTime != .max) { return nil }
        return BlockSeries(ref: ref, labels: Labels(sorted: pairs), chunks: chunks)
    }
}
