import Foundation
import Testing
import TundraBlock
import TundraEncoding
import TundraModel
import TundraTestSupport

@Suite struct BlockWriterTests {
    static func samples(_ range: StrideTo<Int64>) -> [Sample] { range.map { Sample(t: $0, v: Double($0 % 1000)) } }

    @Test func finishPublishesTheBlockUnderItsULIDAndLeavesNoTemporaryFolder() throws {
        let dir = try TempDir("block-writer")
        defer { dir.remove() }
        let labels = Labels(["__name__": "up", "job": "api"])
        let writer = try BlockWriter(
            parentDirectory: dir.path, minTime: BlockFixtures.blockMinTime, maxTime: BlockFixtures.blockMaxTime, symbols: ["__name__", "up", "job", "api"])
        #expect(FileManager.default.fileExists(atPath: writer.temporaryDirectory))
        #expect(try BlockDirectory.blocks(in: dir.path).isEmpty)
        try writer.addSeries(labels, chunks: try SampleChunker.chunks(Self.samples(stride(from: BlockFixtures.blockMinTime, to: BlockFixtures.blockMinTime + 600_000, by: 15_000))))
        let meta = try writer.finish()
        #expect(try BlockDirectory.blocks(in: dir.path) == [meta.ulid])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [meta.ulid.description])
        #expect(meta.stats == BlockStats(numSamples: 40, numSeries: 1, numChunks: 1))
        #expect(meta.compaction == BlockCompaction(level: 1, sources: [meta.ulid]))
        #expect(meta.tundra?.source == .head)
        #expect(throws: BlockError.self) { try writer.addSeries(labels, chunks: []) }
    }

    @Test func aFailureMidWriteLeavesOnlyATemporaryFolderThatCleanupRemoves() throws {
        let dir = try TempDir("block-writer-fail")
        defer { dir.remove() }
        let writer = try BlockWriter(
            parentDirectory: dir.path, minTime: BlockFixtures.blockMinTime, maxTime: BlockFixtures.blockMaxTime, symbols: ["__name__", "a", "b"])
        let chunks = try SampleChunker.chunks(Self.samples(stride(from: BlockFixtures.blockMinTime, to: BlockFixtures.blockMinTime + 60_000, by: 1000)))
        try writer.addSeries(Labels(["__name__": "b"]), chunks: chunks)
        // Out of order: the writer refuses it and every later call.
        let e = #expect(throws: BlockError.self) { try writer.addSeries(Labels(["__name__": "a"]), chunks: chunks) }
        #expect(e?.code == .invalidInput)
        #expect(throws: BlockError.self) { try writer.finish() }

        #expect(!FileManager.default.fileExists(atPath: writer.directory))
        #expect(try BlockDirectory.blocks(in: dir.path).isEmpty)
        #expect(FileManager.default.fileExists(atPath: writer.temporaryDirectory))
        #expect(try BlockDirectory.removeTemporaryDirectories(in: dir.path) == [writer.ulid.description + BlockDirectory.temporarySuffix])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func abortRemovesTheTemporaryFolder() throws {
        let dir = try TempDir("block-writer-abort")
        defer { dir.remove() }
        let writer = try BlockWriter(parentDirectory: dir.path, minTime: 0, maxTime: 1000, symbols: [])
        writer.abort()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        #expect(throws: BlockError.self) { try writer.finish() }
    }

    struct BadInput: Sendable, CustomStringConvertible {
        let description: String
        let labels: Labels
        let chunks: @Sendable () throws -> [SeriesChunk]
    }

    static let badInputs: [BadInput] = [
        BadInput(description: "chunk before the block", labels: Labels(["__name__": "a"])) {
            try SampleChunker.chunks([Sample(t: -1, v: 1)])
        },
        BadInput(description: "chunk at the exclusive end", labels: Labels(["__name__": "a"])) {
            try SampleChunker.chunks([Sample(t: 1000, v: 1)])
        },
        BadInput(description: "overlapping chunks", labels: Labels(["__name__": "a"])) {
            try SampleChunker.chunks([Sample(t: 1, v: 1), Sample(t: 5, v: 1)]) + SampleChunker.chunks([Sample(t: 5, v: 1)])
        },
        BadInput(description: "label missing from the symbols", labels: Labels(["__name__": "zzz"])) {
            try SampleChunker.chunks([Sample(t: 1, v: 1)])
        },
        BadInput(description: "labels out of name order", labels: Labels(sorted: [Label("b", "a"), Label("a", "a")])) {
            try SampleChunker.chunks([Sample(t: 1, v: 1)])
        },
    ]

    @Test(arguments: badInputs)
    func contractViolationsAreRefused(_ input: BadInput) throws {
        let dir = try TempDir("block-writer-bad")
        defer { dir.remove() }
        let writer = try BlockWriter(parentDirectory: dir.path, minTime: 0, maxTime: 1000, symbols: ["__name__", "a", "b"])
        let e = #expect(throws: BlockError.self) { try writer.addSeries(input.labels, chunks: try input.chunks()) }
        #expect(e?.code == .invalidInput, "\(input)")
        writer.abort()
    }

    @Test func chunkerCutsAtTheSampleLimitAndAtBlockBoundaries() throws {
        let range: Int64 = 7_200_000
        let samples = Self.samples(stride(from: range - 300_000, to: range + 3_000_000, by: 10_000))
        let chunks = try SampleChunker.chunks(samples, blockRange: range)
        #expect(chunks.allSatisfy { SampleChunker.blockStart($0.minTime, range: range) == SampleChunker.blockStart($0.maxTime, range: range) })
        #expect(chunks.first?.maxTime == range - 10_000)
        #expect(try chunks.map { try $0.chunk.sampleCount() }.max() == 120)
        #expect(try chunks.flatMap { try $0.chunk.samples() } == samples)
        #expect(SampleChunker.blockStart(-1, range: range) == -range)

        let e = #expect(throws: BlockError.self) { try SampleChunker.chunks([Sample(t: 5, v: 1), Sample(t: 5, v: 2)]) }
        #expect(e?.code == .invalidInput)
    }

    @Test func seriesOrderIsByBytesAsInPrometheus() {
        // Byte order: "cafez" (..65 7A), then decomposed "e"+U+0301 (..65 CC 81), then
        // composed "é" (..C3 A9). Swift's String order calls the last two equal.
        let composed = Labels(sorted: [Label("a", "caf\u{E9}")])
        let decomposed = Labels(sorted: [Label("a", "cafe\u{301}")])
        let plain = Labels(sorted: [Label("a", "cafez")])
        #expect(ByteOrder.precedes(plain, decomposed))
        #expect(ByteOrder.precedes(decomposed, composed))
        #expect(ByteOrder.compare(composed, decomposed) != 0)
        #expect(ByteOrder.precedes(Labels(sorted: [Label("a", "b")]), Labels(sorted: [Label("a", "b"), Label("c", "d")])))
    }
}
