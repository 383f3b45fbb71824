import Foundation
import Testing
import TundraBlock
import TundraEncoding
import TundraModel
import TundraTestSupport

/// Blocks written by ``BlockWriter`` read back by ``BlockReader`` bit for bit.
@Suite struct BlockRoundTripTests {
    struct Case: Sendable, CustomStringConvertible {
        let seed: UInt64
        let seriesCount: Int
        let maxSamples: Int
        let samplesPerChunk: Int
        let maxSegmentSize: Int
        var description: String { "seed \(seed), \(seriesCount) series, segments of \(maxSegmentSize) bytes" }
    }

    static let cases = [
        Case(seed: 1, seriesCount: 300, maxSamples: 400, samplesPerChunk: 120, maxSegmentSize: ChunkSegment.defaultMaxSize),
        // Many chunks per series and tiny segments: refs span dozens of segment files.
        Case(seed: 2, seriesCount: 60, maxSamples: 2000, samplesPerChunk: 25, maxSegmentSize: 4096),
        Case(seed: 3, seriesCount: 1, maxSamples: 5, samplesPerChunk: 120, maxSegmentSize: 200),
    ]

    @Test(arguments: cases)
    func everySeriesAndSampleReadsBackBitExactly(_ c: Case) throws {
        let dir = try TempDir("block-roundtrip")
        defer { dir.remove() }
        let series = try BlockFixtures.series(
            count: c.seriesCount, seed: c.seed, maxSamples: c.maxSamples, samplesPerChunk: c.samplesPerChunk, unicodeOrder: true)
        var options = BlockWriterOptions()
        options.maxSegmentSize = c.maxSegmentSize
        let meta = try BlockFixtures.write(series, to: dir.path, options: options)

        let block = try BlockReader(directory: dir.path + "/" + meta.ulid.description)
        #expect(block.meta == meta, "\(c)")
        #expect(meta.stats.numSeries == UInt64(series.count))
        #expect(meta.stats.numSamples == UInt64(series.reduce(0) { $0 + $1.samples.count }))
        #expect(meta.stats.numChunks == UInt64(series.reduce(0) { $0 + $1.chunks.count }))
        #expect(meta.tundra?.chunkEncodings == [ChunkEncoding.xor.rawValue])

        let read = try block.select(matchers: [])
        let expected = series.sorted { ByteOrder.precedes($0.labels, $1.labels) }
        try #require(read.count == expected.count, "\(c)")
        for (got, want) in zip(read, expected) {
            #expect(BlockFixtures.sameBytes(got.labels, want.labels), "\(c): \(got.labels) vs \(want.labels)")
            #expect(got.chunks.map(\.minTime) == want.chunks.map(\.minTime))
            #expect(got.chunks.map(\.maxTime) == want.chunks.map(\.maxTime))
            let samples = try block.samples(of: got)
            #expect(BlockFixtures.sameSamples(samples, want.samples), "\(c): samples of \(want.labels)")
            for (meta, chunk) in zip(got.chunks, want.chunks) {
                #expect(try block.chunk(meta.ref) == chunk.chunk)
            }
        }
        if c.maxSegmentSize < 10_000 {
            let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/" + meta.ulid.description + "/chunks")
            #expect(segments.count > 1 || series.count == 1, "\(c): \(segments.count) segments")
        }
    }

    @Test func labelNamesAndValuesListEveryPairOnce() throws {
        let dir = try TempDir("block-labels")
        defer { dir.remove() }
        let series = try BlockFixtures.series(count: 120, seed: 11, maxSamples: 20)
        let meta = try BlockFixtures.write(series, to: dir.path)
        let block = try BlockReader(directory: dir.path + "/" + meta.ulid.description)

        var byName: [String: Set<String>] = [:]
        for s in series { for pair in s.labels { byName[pair.name, default: []].insert(pair.value) } }
        #expect(block.labelNames() == byName.keys.sorted(by: ByteOrder.precedes))
        for (name, values) in byName {
            #expect(block.labelValues(name) == values.sorted(by: ByteOrder.precedes), "values of \(name)")
        }
        #expect(block.labelValues("no_such_label").isEmpty)
        let symbols = Set(series.flatMap { $0.labels.flatMap { [$0.name, $0.value] } })
        #expect(block.symbols == symbols.sorted(by: ByteOrder.precedes))
    }

    @Test func selectWithTimeRangeKeepsOnlyOverlappingChunks() throws {
        let dir = try TempDir("block-time")
        defer { dir.remove() }
        let series = try BlockFixtures.series(count: 80, seed: 5, maxSamples: 600, samplesPerChunk: 40)
        let meta = try BlockFixtures.write(series, to: dir.path)
        let block = try BlockReader(directory: dir.path + "/" + meta.ulid.description)
        var rng = SeededRandom(seed: 99)
        for _ in 0..<20 {
            let a = BlockFixtures.blockMinTime + Int64(rng.int(in: 0...7_200_000))
            let b = a + Int64(rng.int(in: 0...1_800_000))
            let got = try block.select(matchers: [], minTime: a, maxTime: b)
            let want = series.filter { $0.chunks.contains { $0.maxTime >= a && $0.minTime <= b } }
                .sorted { ByteOrder.precedes($0.labels, $1.labels) }
            try #require(got.count == want.count, "range [\(a), \(b)]")
            for (g, w) in zip(got, want) {
                #expect(g.chunks.map(\.minTime) == w.chunks.filter { $0.maxTime >= a && $0.minTime <= b }.map(\.minTime))
                let samples = try block.samples(of: g, minTime: a, maxTime: b)
                #expect(BlockFixtures.sameSamples(samples, w.samples.filter { $0.t >= a && $0.t <= b }))
            }
        }
    }
}
