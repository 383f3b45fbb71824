import Foundation
import TundraBlock
import TundraEncoding

/// The parts of a block's `index` that opening it reads (header, table of contents,
/// symbol table, postings offset table), with the index's size.
struct IndexHeader: Sendable, Equatable {
    var indexSize: Int
    /// Byte ranges of `index` as read, by offset.
    var ranges: [Piece]

    struct Piece: Sendable, Equatable {
        var offset: Int
        var bytes: [UInt8]
    }

    /// `range` if one piece holds it; clipped at the end of the index.
    func read(_ range: Range<Int>) -> [UInt8]? {
        let upper = min(range.upperBound, indexSize)
        if range.lowerBound >= upper { return range.lowerBound >= indexSize ? [] : nil }
        for p in ranges where p.offset <= range.lowerBound && p.offset + p.bytes.count >= upper {
            return Array(p.bytes[(range.lowerBound - p.offset)..<(upper - p.offset)])
        }
        return nil
    }
}

/// Index headers and `meta.json` of blocks, kept on local disk under
/// `directory/<ULID>/` (format: docs/format/index-header-cache.md), so that opening a
/// block a second time, in this process or the next, costs no request.
///
/// Files are loaded only when a block is opened, so memory does not grow with the
/// number of blocks in the bucket. A file that fails its checksum or has another
/// version is treated as absent and written again: it is a cache, the bucket has the
/// truth.
public final class IndexHeaderCache: Sendable {
    public let directory: String

    static let headerFile = "index-header"
    static let magic: UInt32 = 0x5451_4948  // "TQIH"
    static let version: UInt8 = 1

    /// Creates `directory` when it does not exist.
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func folder(_ block: ULID) -> String { directory + "/" + block.description }

    func loadHeader(_ block: ULID) -> IndexHeader? {
        guard let data = FileManager.default.contents(atPath: folder(block) + "/" + Self.headerFile) else { return nil }
        return Self.decode([UInt8](data))
    }

    func storeHeader(_ block: ULID, _ header: IndexHeader) throws {
        try write(Self.encode(header), to: Self.headerFile, of: block)
    }

    func loadMeta(_ block: ULID) -> [UInt8]? {
        FileManager.default.contents(atPath: folder(block) + "/" + BlockMeta.fileName).map { [UInt8]($0) }
    }

    func storeMeta(_ block: ULID, _ bytes: [UInt8]) throws {
        try write(bytes, to: BlockMeta.fileName, of: block)
    }

    /// Removes the folders of blocks not in `blocks`: blocks deleted from the bucket.
    /// Entries that are not ULIDs are left alone.
    func prune(keeping blocks: Set<ULID>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let id = try? ULID(parsing: name), !blocks.contains(id) else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// Written to a temporary file and renamed, so a reader never sees half a file.
    private func write(_ bytes: [UInt8], to name: String, of block: ULID) throws {
        let dir = folder(block)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name), options: .atomic)
    }

    static func encode(_ header: IndexHeader) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(21 + header.ranges.reduce(0) { $0 + 12 + $1.bytes.count })
        appendBE(&out, UInt64(magic), bytes: 4)
        out.append(version)
        appendBE(&out, UInt64(header.indexSize), bytes: 8)
        appendBE(&out, UInt64(header.ranges.count), bytes: 4)
        for p in header.ranges {
            appendBE(&out, UInt64(p.offset), bytes: 8)
            appendBE(&out, UInt64(p.bytes.count), bytes: 4)
            out += p.bytes
        }
        appendBE(&out, UInt64(CRC32C.checksum(out)), bytes: 4)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> IndexHeader? {
        guard bytes.count >= 21 else { return nil }
        let body = bytes.count - 4
        guard CRC32C.checksum(Array(bytes[0..<body])) == UInt32(readBE(bytes, at: body, bytes: 4)) else { return nil }
        guard readBE(bytes, at: 0, bytes: 4) == UInt64(magic), bytes[4] == version else { return nil }
        let size = readBE(bytes, at: 5, bytes: 8)
        let count = readBE(bytes, at: 13, bytes: 4)
        guard size <= UInt64(Int.max) else { return nil }
        var at = 17
        var pieces: [IndexHeader.Piece] = []
        for _ in 0..<count {
            guard at + 12 <= body else { return nil }
            let offset = readBE(bytes, at: at, bytes: 8)
            let length = Int(readBE(bytes, at: at + 8, bytes: 4))
            at += 12
            guard offset <= size, length <= body - at else { return nil }
            pieces.append(IndexHeader.Piece(offset: Int(offset), bytes: Array(bytes[at..<at + length])))
            at += length
        }
        guard at == body else { return nil }
        return IndexHeader(indexSize: Int(size), ranges: pieces)
    }

    private static func appendBE(_ out: inout [UInt8], _ v: UInt64, bytes: Int) {
        for i in stride(from: bytes - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8))) }
    }

    private static func readBE(_ b: [UInt8], at: Int, bytes: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<bytes { v = v << 8 | UInt64(b[at + i]) }
        return v
    }
}
