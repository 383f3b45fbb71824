import Foundation
import Testing
import TundraBlock
@testable import TundraQuery
import TundraTestSupport

/// The chunk cache, the index header file and the resolution plan on their own.
@Suite struct StoreCacheTests {
    static let block = ULID(milliseconds: 1_700_000_000_000)

    @Test func chunkCacheServesContainedRangesAndEvictsLeastRecentlyUsed() {
        let cache = ChunkCache(capacity: 300)
        let a = [UInt8](repeating: 1, count: 100)
        cache.put(block: Self.block, file: "chunks/000001", start: 1000, bytes: Array(0..<100), reachesEnd: false)
        #expect(cache.get(block: Self.block, file: "chunks/000001", range: 1010..<1020) == Array(10..<20))
        #expect(cache.get(block: Self.block, file: "chunks/000001", range: 1090..<1110) == nil, "runs past the entry")
        #expect(cache.get(block: Self.block, file: "chunks/000002", range: 1010..<1020) == nil, "another file")
        // An entry that reached the end of its file serves a range past it, clipped.
        cache.put(block: Self.block, file: "chunks/000002", start: 0, bytes: Array(0..<50), reachesEnd: true)
        #expect(cache.get(block: Self.block, file: "chunks/000002", range: 40..<540) == Array(40..<50))
        cache.put(block: Self.block, file: "index", start: 0, bytes: a, reachesEnd: false)
        #expect(cache.bytes == 250)
        // Touch the first entry; the next insert evicts the least recently used (chunks/000002).
        _ = cache.get(block: Self.block, file: "chunks/000001", range: 1000..<1001)
        cache.put(block: Self.block, file: "index", start: 500, bytes: a, reachesEnd: false)
        #expect(cache.bytes == 300)
        #expect(cache.get(block: Self.block, file: "chunks/000002", range: 0..<10) == nil)
        #expect(cache.get(block: Self.block, file: "chunks/000001", range: 1000..<1100) == Array(0..<100))
        cache.put(block: Self.block, file: "index", start: 900, bytes: a, reachesEnd: false)
        #expect(cache.bytes <= 300)
        #expect(cache.get(block: Self.block, file: "index", range: 0..<10) == nil, "evicted: least recently used")
        // A range larger than the cache is not kept.
        cache.put(block: Self.block, file: "chunks/000003", start: 0, bytes: [UInt8](repeating: 0, count: 301), reachesEnd: false)
        #expect(cache.get(block: Self.block, file: "chunks/000003", range: 0..<1) == nil)
        cache.removeAll(block: Self.block)
        #expect(cache.bytes == 0 && cache.entryCount == 0)
    }

    @Test func indexHeaderFileRoundTripsAndRefusesDamage() throws {
        let dir = try TempDir("store-header-file")
        defer { dir.remove() }
        let cache = try IndexHeaderCache(directory: dir.path)
        let header = IndexHeader(indexSize: 5000, ranges: [.init(offset: 0, bytes: [1, 2, 3, 4, 5]), .init(offset: 4948, bytes: Array(repeating: 9, count: 52))])
        try cache.storeHeader(Self.block, header)
        #expect(cache.loadHeader(Self.block) == header)
        #expect(header.read(4950..<4960) == Array(repeating: 9, count: 10))
        #expect(header.read(4990..<5100) == Array(repeating: 9, count: 10), "clipped at the end of the index")
        #expect(header.read(3..<10) == nil)
        let path = dir.path + "/" + Self.block.description + "/index-header"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[20] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(cache.loadHeader(Self.block) == nil, "a damaged file is no header")
        // Folders of blocks no longer in the bucket go; other files stay.
        try Data([1]).write(to: URL(fileURLWithPath: dir.path + "/notes.txt"))
        cache.prune(keeping: [])
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/" + Self.block.description))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/notes.txt"))
    }

    static func meta(_ id: UInt64, _ from: Int64, _ to: Int64, resolution: Int64) -> BlockMeta {
        BlockMeta(
            ulid: ULID(milliseconds: id), minTime: from, maxTime: to, compaction: BlockCompaction(level: 1, sources: []),
            tundra: TundraBlockInfo(resolution: resolution, source: .compactor))
    }

    @Test func planTakesCoarsestFirstThenFillsGapsFiner() {
        let hourly = Self.meta(1, 0, 100, resolution: 3_600_000)
        let minutely = Self.meta(2, 80, 150, resolution: 60_000)
        let raw1 = Self.meta(3, 0, 200, resolution: 0)
        let raw2 = Self.meta(4, 190, 300, resolution: 0)
        let blocks = [raw2, hourly, raw1, minutely]
        let plan = ResolutionPlan(blocks: blocks, mint: 50, maxt: 249, resolutions: [.oneHour, .oneMinute, .raw])
        #expect(plan.segments.map(\.interval) == [50..<100, 100..<150, 150..<250])
        #expect(plan.segments.map(\.resolution) == [.oneHour, .oneMinute, .raw])
        #expect(plan.segments.map { $0.blocks.map(\.ulid) } == [[hourly.ulid], [minutely.ulid], [raw1.ulid, raw2.ulid]])
        #expect(plan.blocks.map(\.meta.ulid) == [hourly.ulid, raw1.ulid, minutely.ulid, raw2.ulid])
        #expect(plan.blocks.first { $0.meta.ulid == raw1.ulid }.map { [$0.mint, $0.maxt] } == [150, 199])

        let rawOnly = ResolutionPlan(blocks: blocks, mint: 50, maxt: 249, resolutions: ResolutionPlan.resolutions(maxResolution: .oneHour, rollup: nil))
        #expect(rawOnly.segments.map(\.interval) == [50..<200, 200..<250] || rawOnly.segments.map(\.interval) == [50..<250])
        #expect(Set(rawOnly.segments.flatMap(\.blocks).map(\.ulid)) == [raw1.ulid, raw2.ulid])
        #expect(ResolutionPlan.resolutions(maxResolution: .oneMinute, rollup: .max) == [.oneMinute, .raw])
    }

    @Test func nearbyChunksAreFetchedInOneRange() {
        let ranges = BucketQuerier.coalesce([0, 100, 5000, 40_000, 41_000], readAhead: 512, gap: 16 << 10, maxLength: 1 << 20)
        #expect(ranges == [0..<5512, 40_000..<41_512])
        let capped = BucketQuerier.coalesce([0, 600, 1200], readAhead: 512, gap: 1 << 10, maxLength: 1200)
        #expect(capped == [0..<1112, 1200..<1712])
    }
}
