import Foundation
import Testing
import TundraBlock
import TundraCompaction
import TundraEncoding
import TundraModel
import TundraTestSupport

/// Merging blocks: adjacent ones keep their chunks, overlapping ones lose their
/// repeated samples, and what comes out reads back (also through promtool).
@Suite struct BlockMergerTests {
    static let hour: Int64 = 3_600_000

    func block(_ dir: String, _ series: [Labels: [Sample]], from: Int64, to: Int64) throws -> BlockReader {
        let meta = try BlockWriter.write(
            parentDirectory: dir, minTime: from, maxTime: to,
            series: try series.map { (labels: $0.key, chunks: try SampleChunker.chunks($0.value)) })
        return try BlockReader(directory: dir + "/" + meta.ulid.description)
    }

    func all(_ reader: BlockReader) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in try reader.select(matchers: []) { out[s.labels] = try reader.samples(of: s) }
        return out
    }

    func labels(_ i: Int) -> Labels { Labels(["__name__": "requests_total", "pod": "p\(i)"]) }

    @Test func adjacentBlocksMergeIntoOneWithEverySample() throws {
        let dir = try TempDir("merge")
        defer { dir.remove() }
        var a: [Labels: [Sample]] = [:]
        var b: [Labels: [Sample]] = [:]
        for i in 0..<30 {
            a[labels(i)] = stride(from: Int64(0), to: 2 * Self.hour, by: 15_000).map { Sample(t: $0, v: Double(i) + Double($0) / 1e3) }
            // Some series only in the second block, some only in the first.
            if i % 3 != 0 { b[labels(i + (i % 2) * 100)] = stride(from: 2 * Self.hour, to: 4 * Self.hour, by: 15_000).map { Sample(t: $0, v: Double($0)) } }
        }
        let ra = try block(dir.path, a, from: 0, to: 2 * Self.hour)
        let rb = try block(dir.path, b, from: 2 * Self.hour, to: 4 * Self.hour)
        try FileManager.default.createDirectory(atPath: dir.path + "/out", withIntermediateDirectories: true)
        let result = try BlockMerger.merge([ra, rb], into: dir.path + "/out")
        #expect(result.duplicatesDropped == 0)
        #expect(result.meta.minTime == 0 && result.meta.maxTime == 4 * Self.hour)
        #expect(result.meta.compaction.level == 2)
        #expect(Set(result.meta.compaction.sources) == [ra.meta.ulid, rb.meta.ulid])
        var expected = a
        for (l, s) in b { expected[l, default: []] += s }
        let merged = try BlockReader(directory: dir.path + "/out/" + result.meta.ulid.description)
        #expect(try all(merged) == expected)
        #expect(result.meta.stats.numSamples == UInt64(expected.values.reduce(0) { $0 + $1.count }))
        // Prometheus' own tool reads the merged block.
        try FileManager.default.createDirectory(atPath: dir.path + "/out/wal", withIntermediateDirectories: true)
        let analyze = try Command.run("/usr/bin/promtool", ["tsdb", "analyze", dir.path + "/out", result.meta.ulid.description])
        #expect(analyze.status == 0, "\(analyze.stdout)\(analyze.stderr)")
    }

    @Test func overlappingBlocksLoseTheirRepeatsAndKeepTheRest() throws {
        let dir = try TempDir("merge-overlap")
        defer { dir.remove() }
        // A late block overlapping the first: some samples repeat, some are new.
        var early: [Labels: [Sample]] = [:]
        var late: [Labels: [Sample]] = [:]
        for i in 0..<10 {
            early[labels(i)] = stride(from: Int64(0), to: Self.hour, by: 10_000).map { Sample(t: $0, v: Double($0)) }
            late[labels(i)] = stride(from: Int64(50 * 60_000), to: 70 * 60_000, by: 5_000).map { Sample(t: $0, v: Double($0)) }
        }
        let r1 = try block(dir.path, early, from: 0, to: Self.hour)
        let r2 = try block(dir.path, late, from: 50 * 60_000, to: 70 * 60_000)
        try FileManager.default.createDirectory(atPath: dir.path + "/out", withIntermediateDirectories: true)
        let result = try BlockMerger.merge([r1, r2], into: dir.path + "/out")
        let merged = try all(try BlockReader(directory: dir.path + "/out/" + result.meta.ulid.description))
        var repeats = 0
        for i in 0..<10 {
            let both: [Sample] = (early[labels(i)] ?? []) + (late[labels(i)] ?? [])
            let union: [Int64: Double] = Dictionary(both.map { ($0.t, $0.v) }, uniquingKeysWith: { a, _ in a })
            repeats += (early[labels(i)]?.count ?? 0) + (late[labels(i)]?.count ?? 0) - union.count
            #expect(merged[labels(i)] == union.map { Sample(t: $0.key, v: $0.value) }.sorted { $0.t < $1.t })
        }
        #expect(result.duplicatesDropped == repeats)
        #expect(repeats > 0)
        #expect(result.meta.minTime == 0 && result.meta.maxTime == 70 * 60_000)
    }

    @Test func overlappingRollupChunksAreRefusedNotAveraged() throws {
        let dir = try TempDir("merge-rollup")
        defer { dir.remove() }
        let raw = (0..<600).map { Sample(t: Int64($0) * 10_000, v: Double($0)) }
        var options = BlockWriterOptions()
        options.resolution = RollupWindows.oneMinute
        var readers: [BlockReader] = []
        for _ in 0..<2 {
            let chunks = try Downsampler.downsample(raw, resolution: RollupWindows.oneMinute).map(SeriesChunk.init)
            let meta = try BlockWriter.write(
                parentDirectory: dir.path, minTime: 0, maxTime: 2 * Self.hour, series: [(labels(0), chunks)], options: options)
            readers.append(try BlockReader(directory: dir.path + "/" + meta.ulid.description))
        }
        try FileManager.default.createDirectory(atPath: dir.path + "/out", withIntermediateDirectories: true)
        #expect(throws: MergeError.self) { try BlockMerger.merge(readers, into: dir.path + "/out") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/out").isEmpty, "nothing half-written is left")
    }
}
