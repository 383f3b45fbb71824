import Testing
import TundraBlock
import TundraEncoding
import TundraModel
import TundraTestSupport

/// Rollup chunks go through a block like any other chunk, under encoding 255.
@Suite struct RollupBlockTests {
    @Test func aRollupBlockReadsBackItsChunks() throws {
        let dir = try TempDir("rollup-block")
        defer { dir.remove() }
        var rng = SeededRandom(seed: 7)
        let raw = rng.counterSeries(start: 0, hours: 5).filter { $0.t < 7_200_000 * 2 }
        let chunks = try Downsampler.downsample(raw, resolution: RollupWindows.oneMinute)
        var options = BlockWriterOptions()
        options.resolution = RollupWindows.oneMinute
        options.source = .compactor
        let labels = Labels(["__name__": "requests_total"])
        let meta = try BlockWriter.write(
            parentDirectory: dir.path, minTime: 0, maxTime: 7_200_000 * 2, series: [(labels, chunks.map(SeriesChunk.init))],
            options: options)
        #expect(meta.tundra?.chunkEncodings == [ChunkEncoding.rollup.rawValue])
        #expect(meta.stats.numSamples == UInt64(chunks.reduce(0) { $0 + $1.windowCount }))

        let block = try BlockReader(directory: dir.path + "/" + meta.ulid.description)
        let series = try #require(try block.select(matchers: []).first)
        let back = try series.chunks.map { try block.chunk($0.ref).rollup() }
        #expect(back == chunks)
        // A selector alone reads the window averages.
        #expect(try block.samples(of: series) == (try RollupSeries.average(chunks)))
    }

    @Test func anXORChunkIsNotARollup() {
        var app = XORAppender()
        app.append(t: 0, v: 1)
        #expect(throws: ChunkError.self) { try BlockChunk(app.chunk).rollup() }
    }
}
