import TundraEncoding

/// Appends chunks to `chunks/NNNNNN` segment files, starting a new segment when the
/// next chunk would pass the size limit. Chunk bytes go to the file as they arrive, so
/// a block of any size is written in the memory of one chunk.
///
/// Each chunk: `len <uvarint>` (of the data), `encoding <1b>`, `data`, then the
/// CRC32C of encoding and data `<4b BE>`.
final class ChunkSegmentWriter {
    private let directory: String
    private let maxSegmentSize: Int
    private var current: BlockFileWriter?
    private var segment = -1
    private(set) var segmentCount = 0

    /// `directory` is the block's `chunks` folder; it must exist.
    init(directory: String, maxSegmentSize: Int = ChunkSegment.defaultMaxSize) {
        self.directory = directory
        self.maxSegmentSize = min(max(maxSegmentSize, ChunkSegment.headerSize + 64), ChunkSegment.maxSize)
    }

    /// Writes one chunk and returns its reference.
    func write(_ chunk: BlockChunk) throws(BlockError) -> ChunkRef {
        var record: [UInt8] = []
        record.reserveCapacity(chunk.bytes.count + 15)
        record.appendUvarint(UInt64(chunk.bytes.count))
        let crcStart = record.count
        record.append(chunk.encoding.rawValue)
        record.append(contentsOf: chunk.bytes)
        record.appendCRC32C(from: crcStart)

        if current == nil || (current?.position ?? 0) + record.count > maxSegmentSize {
            try startSegment()
        }
        // A chunk larger than a whole segment still gets one of its own; only the
        // 32-bit offset is a hard limit.
        guard let file = current, file.position + record.count <= ChunkSegment.maxSize else {
            throw BlockError(.invalidInput, "chunk of \(chunk.bytes.count) bytes does not fit a segment")
        }
        let ref = ChunkRef(segment: segment, offset: file.position)
        try file.write(record)
        return ref
    }

    private func startSegment() throws(BlockError) {
        try current?.finish()
        segment += 1
        let file = try BlockFileWriter(path: directory + "/" + ChunkSegment.baseName(segment: segment))
        var header: [UInt8] = []
        header.appendBE32(ChunkSegment.magic)
        header.append(ChunkSegment.version)
        header.append(contentsOf: [0, 0, 0])
        try file.write(header)
        current = file
        segmentCount = segment + 1
    }

    /// Syncs and closes the last segment.
    func finish() throws(BlockError) {
        try current?.finish()
        current = nil
    }
}
