import Synchronization
import TundraEncoding

/// Reads chunks by reference through a ``BlockFileSource``, checking each segment's
/// header once and each chunk's CRC32C on every read.
///
/// Segment files are found by name (`000001` for segment 0 and so on), not by
/// listing, so an object-store source needs no LIST request.
final class ChunkSegmentReader: Sendable {
    private let source: any BlockFileSource
    private let checkedSegments = Mutex<Set<Int>>([])
    /// Bytes fetched per chunk read: a 120-sample XOR chunk is usually well under
    /// this, so one range read serves most chunks.
    private let readAhead: Int

    init(source: any BlockFileSource, readAhead: Int = 512) {
        self.source = source
        self.readAhead = readAhead
    }

    func chunk(_ ref: ChunkRef) throws(BlockError) -> BlockChunk {
        let file = ChunkSegment.fileName(segment: ref.segment)
        try checkHeader(ref.segment, file: file)
        guard ref.offset >= ChunkSegment.headerSize else {
            throw BlockError(.corrupt, "chunk reference \(ref.rawValue) points into the segment header", file: file, offset: ref.offset)
        }
        var bytes = try source.read(file, range: ref.offset..<ref.offset + readAhead)
        var d = ByteDecoder(bytes, fileOffset: ref.offset, file: file)
        let length = try d.uvarint()
        let headerLength = d.position
        guard length <= UInt64(ChunkSegment.maxSize) else { throw d.error("chunk length \(length) is impossible") }
        let total = headerLength + 1 + Int(length) + 4
        if bytes.count < total {
            if bytes.count < readAhead {
                throw BlockError(.corrupt, "chunk of \(length) bytes runs past the end of the segment", file: file, offset: ref.offset)
            }
            bytes += try source.readExactly(file, range: ref.offset + bytes.count..<ref.offset + total)
            d = ByteDecoder(bytes, fileOffset: ref.offset, file: file)
        }
        try d.verifyCRC(from: headerLength, crcAt: headerLength + 1 + Int(length), what: "chunk")
        let encodingByte = bytes[headerLength]
        guard let encoding = ChunkEncoding(rawValue: encodingByte) else {
            throw BlockError(
                .unsupported, "unknown chunk encoding \(encodingByte): this version reads 1 (XOR) and 255 (rollup)", file: file, offset: ref.offset + headerLength)
        }
        return BlockChunk(encoding: encoding, bytes: Array(bytes[headerLength + 1..<headerLength + 1 + Int(length)]))
    }

    private func checkHeader(_ segment: Int, file: String) throws(BlockError) {
        if checkedSegments.withLock({ $0.contains(segment) }) { return }
        let header = try source.read(file, range: 0..<ChunkSegment.headerSize)
        guard header.count == ChunkSegment.headerSize else {
            throw BlockError(.corrupt, "segment shorter than its \(ChunkSegment.headerSize)-byte header", file: file, offset: 0)
        }
        var d = ByteDecoder(header, fileOffset: 0, file: file)
        let magic = try d.be32()
        guard magic == ChunkSegment.magic else {
            throw BlockError(.corrupt, "bad chunk segment magic \(hex(magic)), want \(hex(ChunkSegment.magic))", file: file, offset: 0)
        }
        let version = try d.byte()
        guard version == ChunkSegment.version else {
            throw BlockError(.unsupported, "chunk segment version \(version), this build reads \(ChunkSegment.version)", file: file, offset: 4)
        }
        checkedSegments.withLock { _ = $0.insert(segment) }
    }
}
