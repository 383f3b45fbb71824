import Testing
import TundraBlock
import TundraEncoding
import TundraModel

/// Hand-computed windows, in the manner of Thanos' `TestDownsample` table: raw samples
/// in, the points of each aggregate out.
@Suite struct RollupDownsamplerTests {
    static let res = RollupWindows.oneMinute

    func chunks(_ samples: [Sample]) throws -> [RollupChunk] {
        let out = try Downsampler.downsample(samples, resolution: Self.res)
        // What the compactor writes must read back as it was built.
        for c in out { #expect(try RollupChunk(bytes: c.bytes) == c) }
        return out
    }

    func points(_ pairs: [(Int64, Double)]) -> [Sample] { pairs.map { Sample(t: $0.0, v: $0.1) } }

    @Test func windowsSkipStaleMarkersAndTheCounterAddsResetsBack() throws {
        let raw = points([
            (10_000, 1), (30_000, 3), (50_000, StaleNaN.value),
            (70_000, 5), (90_000, 2), (110_000, 4),
            (150_000, StaleNaN.value),
            (200_000, 6),
        ])
        let out = try chunks(raw)
        try #require(out.count == 1)
        let c = out[0]
        #expect(c.samples(.count) == points([(59_999, 2), (119_999, 3), (239_999, 1)]))
        #expect(c.samples(.sum) == points([(59_999, 4), (119_999, 11), (239_999, 6)]))
        #expect(c.samples(.min) == points([(59_999, 1), (119_999, 2), (239_999, 6)]))
        #expect(c.samples(.max) == points([(59_999, 3), (119_999, 5), (239_999, 6)]))
        // First raw value; last adjusted value of each window at its own sample time
        // (2 after 5 is a reset: 5 + 2 = 7, then 9, then 11); the raw last value again.
        #expect(c.samples(.counter) == points([(10_000, 1), (30_000, 3), (110_000, 9), (200_000, 11), (200_000, 6)]))
        #expect(RollupSeries.counter(out) == points([(10_000, 1), (30_000, 3), (110_000, 9), (200_000, 11)]))
        #expect(try RollupSeries.average(out) == points([(59_999, 2), (119_999, 11.0 / 3), (239_999, 6)]))
    }

    @Test func aResetBetweenChunksIsFoundFromTheRawValuesAtTheirEdges() throws {
        // 7_200_000 ms is the end of the first 2 h chunk span at 1m resolution.
        let raw = points([(7_140_000, 90), (7_199_000, 100), (7_201_000, 4), (7_230_000, 10)])
        let out = try chunks(raw)
        try #require(out.count == 2)
        #expect(out[0].samples(.counter) == points([(7_140_000, 90), (7_199_000, 100), (7_199_000, 100)]))
        #expect(out[1].samples(.counter) == points([(7_201_000, 4), (7_230_000, 10), (7_230_000, 10)]))
        #expect(RollupSeries.counter(out) == points([(7_140_000, 90), (7_199_000, 100), (7_201_000, 104), (7_230_000, 110)]))
    }

    @Test func aResetInsideAChunkKeepsTheRawLastValueForTheNextChunk() throws {
        let raw = points([(0, 50), (30_000, 7), (7_100_000, 8), (7_300_000, 9)])
        let out = try chunks(raw)
        try #require(out.count == 2)
        // 50, reset to 7 (57), 8 (58): the chunk ends with raw 8, so 9 is a rise of 1.
        #expect(out[0].samples(.counter) == points([(0, 50), (30_000, 57), (7_100_000, 58), (7_100_000, 8)]))
        #expect(RollupSeries.counter(out).last == Sample(t: 7_300_000, v: 59))
    }

    @Test func nanIsASampleButNotACounterValue() throws {
        let raw = points([(1_000, .nan), (2_000, 4), (3_000, 2), (61_000, .nan)])
        let c = try #require(try chunks(raw).first)
        #expect(c.samples(.count)?.map(\.v) == [3, 1])
        #expect(c.samples(.sum)?.map { $0.v.isNaN } == [true, true])
        #expect(c.samples(.min)?.map(\.v).first == 2)
        #expect(c.samples(.max)?.map(\.v).first == 4)
        #expect(c.samples(.min)?.last?.v.isNaN == true)
        #expect(c.samples(.counter) == points([(2_000, 4), (3_000, 6), (3_000, 2)]))
    }

    @Test func onlyStaleMarkersOrNothingGiveNoChunk() throws {
        #expect(try chunks([]).isEmpty)
        #expect(try chunks(points([(0, StaleNaN.value), (1_000, StaleNaN.value)])).isEmpty)
    }

    @Test func onlyNaNSamplesGiveAChunkWithoutACounter() throws {
        let c = try #require(try chunks(points([(0, .nan), (1_000, .nan)])).first)
        #expect(c.samples(.count)?.map(\.v) == [2])
        #expect(!c.contains(.counter))
    }

    @Test func negativeTimestampsFallInFlooredWindows() throws {
        // -1 and 0 also fall in different chunk spans, so they land in two chunks.
        let out = try chunks(points([(-1, 1), (0, 2)]))
        #expect(RollupSeries.points(.count, out) == points([(-1, 1), (59_999, 1)]))
        #expect(RollupSeries.counter(out) == points([(-1, 1), (0, 2)]))
    }

    @Test func timestampsMustIncreaseAndResolutionBePositive() {
        #expect(throws: BlockError.self) { try Downsampler.downsample(points([(5, 1), (5, 2)]), resolution: Self.res) }
        #expect(throws: BlockError.self) { try Downsampler.downsample(points([(5, 1)]), resolution: 0) }
    }

    @Test func chunksFollowTheChunkSpanAndFitABlock() throws {
        let raw = (0..<Int64(5 * 240)).map { Sample(t: $0 * 15_000, v: Double($0)) }  // 5 h
        let out = try chunks(raw)
        #expect(out.count == 3)
        #expect(out.map(\.windowCount) == [120, 120, 60])
        let series = out.map(SeriesChunk.init)
        #expect(series.map(\.minTime) == [0, 7_200_000, 14_400_000])
        #expect(series.map(\.maxTime) == [7_199_999, 14_399_999, 17_999_999])
    }
}

@Suite struct RollupGoldenTests {
    /// The example in docs/format/rollup.md, byte for byte.
    @Test func oneSampleGivesTheDocumentedBytes() throws {
        let out = try Downsampler.downsample([Sample(t: 1_000, v: 5)], resolution: RollupWindows.oneMinute)
        let window: [UInt8] = [0x00, 0x01, 0xBE, 0xA9, 0x07]
        let one: [UInt8] = [0x3F, 0xF0, 0, 0, 0, 0, 0, 0]
        let five: [UInt8] = [0x40, 0x14, 0, 0, 0, 0, 0, 0]
        var want: [UInt8] = [0x0D, 0x01] + window + one
        for _ in 0..<3 { want += [0x0D, 0x01] + window + five }
        want += [0x0E, 0x01, 0x00, 0x02, 0xD0, 0x0F] + five + [0x00, 0x00]
        want += [0x0D, 0x01] + window + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(out.map(\.bytes) == [want])
        #expect(want.count == 91)
    }
}
