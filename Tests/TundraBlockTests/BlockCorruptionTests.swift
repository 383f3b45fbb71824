import Foundation
import Testing
import TundraBlock
import TundraEncoding
import TundraModel
import TundraTestSupport

/// Damaged blocks end in a ``BlockError`` that names the file and offset, never in a
/// crash or in wrong data.
@Suite struct BlockCorruptionTests {
    /// A small block in its own folder, with helpers to damage its files.
    struct Fixture {
        let dir: TempDir
        let block: String
        let seriesCount: Int

        init() throws {
            dir = try TempDir("block-corrupt")
            let series = try BlockFixtures.series(count: 30, seed: 77, maxSamples: 200)
            let meta = try BlockFixtures.write(series, to: dir.path)
            block = dir.path + "/" + meta.ulid.description
            seriesCount = series.count
        }

        func bytes(_ file: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: block + "/" + file))) }
        func store(_ file: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: block + "/" + file)) }
        func flip(_ file: String, at offset: Int) throws {
            var b = try bytes(file)
            b[offset] ^= 0x5A
            try store(file, b)
        }
        /// A TOC entry of the index (0 = symbols ... 5 = postings offset table).
        func toc(_ entry: Int) throws -> Int {
            let b = try bytes("index")
            let at = b.count - 52 + entry * 8
            return b[at..<at + 8].reduce(0) { $0 << 8 | Int($1) }
        }
        func open() throws -> BlockReader { try BlockReader(directory: block) }
        /// Reads every series and sample.
        func readAll() throws {
            let r = try open()
            for s in try r.select(matchers: []) { _ = try r.samples(of: s) }
        }
    }

    static func expectFailure(_ code: BlockError.Code, file: String, _ body: () throws -> Void) {
        let e = #expect(throws: BlockError.self) { try body() }
        #expect(e?.code == code, "\(e.map(String.init(describing:)) ?? "no error")")
        #expect(e?.file?.hasSuffix(file) == true, "\(e.map(String.init(describing:)) ?? "no error")")
    }

    @Test func intactFixtureReads() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try f.readAll()
    }

    @Test func flippedByteInTheSymbolTableFailsTheChecksumAtOpen() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try f.flip("index", at: try f.toc(0) + 10)
        Self.expectFailure(.checksum, file: "index") { _ = try f.open() }
    }

    @Test func flippedByteInTheTableOfContentsFailsAtOpen() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try f.flip("index", at: try f.bytes("index").count - 30)
        Self.expectFailure(.checksum, file: "index") { _ = try f.open() }
    }

    @Test func flippedByteInTheFirstSeriesFailsWhenItIsRead() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let first = (try f.toc(1) + 15) / 16 * 16
        try f.flip("index", at: first + 3)
        let reader = try f.open()
        Self.expectFailure(.checksum, file: "index") { _ = try reader.select(matchers: []) }
    }

    @Test func flippedByteInPostingsOrTheirOffsetTableFails() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try f.flip("index", at: try f.toc(4) + 9)
        let reader = try f.open()
        Self.expectFailure(.checksum, file: "index") { _ = try reader.select(matchers: []) }

        let g = try Fixture()
        defer { g.dir.remove() }
        try g.flip("index", at: try g.toc(5) + 9)
        Self.expectFailure(.checksum, file: "index") { _ = try g.open() }
    }

    @Test func unknownIndexVersionOrMagicIsRefused() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        var b = try f.bytes("index")
        b[4] = 3
        try f.store("index", b)
        Self.expectFailure(.unsupported, file: "index") { _ = try f.open() }
        b[4] = 2
        b[0] = 0
        try f.store("index", b)
        Self.expectFailure(.corrupt, file: "index") { _ = try f.open() }
    }

    @Test(arguments: [1, 52, 300])
    func truncatedIndexIsRefused(_ cut: Int) throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let b = try f.bytes("index")
        try f.store("index", Array(b.dropLast(cut)))
        Self.expectFailure(.checksum, file: "index") { try f.readAll() }
        try f.store("index", Array(b.prefix(20)))
        Self.expectFailure(.corrupt, file: "index") { _ = try f.open() }
    }

    @Test func flippedByteInAChunkFailsItsChecksum() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try f.flip("chunks/000001", at: 12)
        Self.expectFailure(.checksum, file: "chunks/000001") { try f.readAll() }
    }

    @Test func badSegmentMagicOrVersionIsRefused() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        var b = try f.bytes("chunks/000001")
        b[4] = 2
        try f.store("chunks/000001", b)
        Self.expectFailure(.unsupported, file: "chunks/000001") { try f.readAll() }

        let g = try Fixture()
        defer { g.dir.remove() }
        try g.flip("chunks/000001", at: 1)
        Self.expectFailure(.corrupt, file: "chunks/000001") { try g.readAll() }
    }

    @Test func unknownChunkEncodingIsRefusedByName() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let reader = try f.open()
        let first = try #require(try reader.select(matchers: []).first?.chunks.first)
        var b = try f.bytes("chunks/000001")
        // Rewrite the first chunk's encoding byte with a valid checksum, so only the
        // encoding is wrong.
        var at = first.ref.offset
        var length = 0
        var shift = 0
        while b[at] & 0x80 != 0 {
            length |= Int(b[at] & 0x7F) << shift
            shift += 7
            at += 1
        }
        length |= Int(b[at]) << shift
        at += 1
        b[at] = 9
        let crc = CRC32C.checksum(Array(b[at..<at + 1 + length]))
        for k in 0..<4 { b[at + 1 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * k)) }
        try f.store("chunks/000001", b)
        let e = #expect(throws: BlockError.self) { _ = try reader.chunk(first.ref) }
        #expect(e?.code == .unsupported)
        #expect(e?.message.contains("unknown chunk encoding 9") == true)
        #expect(e?.offset == at)
    }

    @Test func aMetaDeclaringAnUnknownEncodingIsRefusedAtOpen() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let text = String(decoding: try f.bytes("meta.json"), as: UTF8.self)
        try #require(text.contains("\"chunk_encodings\" : [\n      1\n    ]"), "\(text)")
        try f.store("meta.json", Array(text.replacingOccurrences(of: "\"chunk_encodings\" : [\n      1\n    ]", with: "\"chunk_encodings\" : [1, 7]").utf8))
        Self.expectFailure(.unsupported, file: "meta.json") { _ = try f.open() }
    }

    @Test func truncatedSegmentIsRefused() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let b = try f.bytes("chunks/000001")
        try f.store("chunks/000001", Array(b.dropLast(3)))
        Self.expectFailure(.corrupt, file: "chunks/000001") { try f.readAll() }
    }

    @Test func missingFilesAreIOErrors() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try FileManager.default.removeItem(atPath: f.block + "/chunks/000001")
        Self.expectFailure(.io, file: "chunks/000001") { try f.readAll() }
        try FileManager.default.removeItem(atPath: f.block + "/meta.json")
        Self.expectFailure(.io, file: "meta.json") { _ = try f.open() }
    }
}
