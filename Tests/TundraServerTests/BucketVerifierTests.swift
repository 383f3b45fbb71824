import Foundation
import Logging
import Testing
import TundraBlock
import TundraModel
import TundraObjectStore
import TundraTestSupport

@testable import TundraServer

/// `tools bucket verify`: good blocks pass with their counts; each kind of damage is
/// named with its block and file; overlaps are information only.
@Suite struct BucketVerifierTests {
    func verifier(_ f: BucketFixture) -> BucketVerifier {
        BucketVerifier(store: f.store, workDirectory: f.work, logger: Logger(label: "test"))
    }

    @Test func goodBlocksPassWithTheCountsOfTheirMeta() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let a = try await f.addBlock(minTime: 0, maxTime: 7_200_000, series: 3, samples: 300)
        let b = try await f.addBlock(minTime: 7_200_000, maxTime: 14_400_000, series: 2, samples: 10)

        let report = try await verifier(f).verifyAll()
        #expect(report.ok, "\(report)")
        #expect(report.blocks.map(\.ulid) == [a.ulid, b.ulid])
        #expect(report.blocks[0].counted == a.stats)
        #expect(a.stats.numChunks == 9, "300 samples make 3 chunks per series")
        #expect(report.overlaps.isEmpty && report.partialUploads.isEmpty)
        #expect(BucketText.verify(report).hasSuffix("OK: 2 blocks verified\n"))
        #expect(!FileManager.default.fileExists(atPath: f.work), "downloads are removed")
    }

    @Test func aFlippedByteInAChunkSegmentFailsItsChecksum() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let good = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        let bad = try await f.addBlock(minTime: 7_200_000, maxTime: 14_400_000)
        try f.corrupt(bad.ulid, "chunks/000001", at: -10)

        let report = try await verifier(f).verifyAll()
        #expect(!report.ok)
        #expect(report.blocks.first { $0.ulid == good.ulid }?.problems == [])
        let problems = try #require(report.blocks.first { $0.ulid == bad.ulid }?.problems)
        #expect(problems.contains { $0.kind == .chunk && $0.file == "chunks/000001" && $0.message.contains("checksum") }, "\(problems)")
        // The samples of that chunk are unknown, which is the same problem: stats agree.
        #expect(!problems.contains { $0.kind == .stats })
        let text = BucketText.verify(report)
        #expect(text.contains("block \(bad.ulid): "))
        #expect(text.contains("FAILED: 1 of 2 blocks with problems"))
    }

    @Test func aMissingIndexIsNamed() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        try await f.store.delete("\(meta.ulid)/index")
        let report = try await verifier(f).verify(meta.ulid)
        #expect(report.blocks.first?.problems == [BlockProblem(.missingFile, "the block has no index", file: "index")])
        #expect(!report.ok)
    }

    @Test func aCorruptIndexIsNamed() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        try f.corrupt(meta.ulid, "index", at: 10)
        let problems = try await verifier(f).verify(meta.ulid).blocks.first?.problems ?? []
        #expect(problems.count == 1 && problems.first?.kind == .index && problems.first?.file == "index", "\(problems)")
    }

    @Test func aMissingChunkSegmentIsNamedOnce() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000, series: 5)
        try await f.store.delete("\(meta.ulid)/chunks/000001")
        let problems = try await verifier(f).verify(meta.ulid).blocks.first?.problems ?? []
        #expect(problems.filter { $0.kind == .missingFile }.map(\.file) == ["chunks/000001"], "\(problems)")
    }

    @Test func statsThatDisagreeWithTheBlockAreReported() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        var meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000, series: 2, samples: 20)
        meta.stats.numSamples += 1
        try await f.store.put("\(meta.ulid)/meta.json", bytes: try meta.encoded())
        let problems = try await verifier(f).verify(meta.ulid).blocks.first?.problems ?? []
        #expect(problems.map(\.kind) == [.stats])
        #expect(problems.first?.message.contains("41 samples") == true && problems.first?.message.contains("40") == true, "\(problems)")
    }

    @Test func aMetaOfAnUnknownVersionIsAProblem() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        var meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        meta.version = 2
        try await f.store.put("\(meta.ulid)/meta.json", bytes: try meta.encoded())
        let report = try await verifier(f).verifyAll()
        #expect(report.blocks.map(\.ulid) == [meta.ulid])
        #expect(report.blocks.first?.problems.first?.kind == .meta)
        #expect(report.blocks.first?.problems.first?.message.contains("version 2") == true)
    }

    @Test func aPartialUploadFailsTheBucketButNotItsBlocks() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        let partial = ULID(milliseconds: 99)
        try await f.store.put("\(partial)/chunks/000001", bytes: [1, 2, 3])
        let report = try await verifier(f).verifyAll()
        #expect(report.blocks.allSatisfy { $0.problems.isEmpty })
        #expect(report.partialUploads.map(\.prefix) == [partial.description])
        #expect(!report.ok && report.problemCount == 1)
        #expect(BucketText.verify(report).contains("partial upload \(partial): 1 object,"))
        // Asking for the prefix alone says the same.
        #expect(try await verifier(f).verify(partial).partialUploads.count == 1)
    }

    @Test func overlapsOfOneResolutionAreInformationOnly() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let a = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        let b = try await f.addBlock(minTime: 3_600_000, maxTime: 10_800_000)
        // A rollup over the same time does not overlap raw data.
        try await f.addBlock(minTime: 0, maxTime: 7_200_000, resolution: 60_000)
        let report = try await verifier(f).verifyAll()
        #expect(report.ok)
        #expect(report.overlaps == [BlockOverlap(resolution: 0, rollup: nil, first: a.ulid, second: b.ulid, minTime: 3_600_000, maxTime: 7_200_000)])
        #expect(BucketText.verify(report).contains("overlap (info): raw blocks \(a.ulid) and \(b.ulid)"))
    }

    @Test func blocksMarkedForDeletionDoNotCountAsOverlapping() {
        func block(_ minTime: Int64, _ maxTime: Int64, marked: Bool) -> BucketBlock {
            let id = ULID(milliseconds: UInt64(minTime + 1))
            let meta = BlockMeta(ulid: id, minTime: minTime, maxTime: maxTime, compaction: BlockCompaction(level: 1, sources: [id]))
            return BucketBlock(meta: meta, files: [], deletionMark: marked ? MarkSeen(deletionTime: 1) : nil)
        }
        #expect(BlockOverlap.find(in: [block(0, 100, marked: false), block(50, 150, marked: true)]).isEmpty)
        #expect(BlockOverlap.find(in: [block(0, 100, marked: false), block(100, 150, marked: false)]).isEmpty, "touching is not overlapping")
        let three = BlockOverlap.find(in: [block(0, 100, marked: false), block(10, 20, marked: false), block(50, 150, marked: false)])
        #expect(three.map { [$0.minTime, $0.maxTime] } == [[10, 20], [50, 100]])
    }

    @Test func verifyingAnAbsentBlockIsAnError() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        await #expect(throws: ServerError.self) { try await verifier(f).verify(ULID(milliseconds: 1)) }
    }

    @Test func theReportRoundTripsThroughJSON() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        try f.corrupt(meta.ulid, "chunks/000001", at: -1)
        let report = try await verifier(f).verifyAll()
        let text = try BucketText.json(report)
        #expect(text.contains("\"ok\" : false"))
        #expect(try JSONDecoder.iso8601().decode(BucketVerifyReport.self, from: Data(text.utf8)) == report)
    }
}

extension JSONDecoder {
    static func iso8601() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
