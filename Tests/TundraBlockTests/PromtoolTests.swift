import Foundation
import Testing
import TundraBlock
import TundraModel
import TundraTestSupport

/// Blocks we write, read by Prometheus' own tool (Debian `prometheus`, 2.42).
@Suite struct PromtoolTests {
    static let promtool = ProcessInfo.processInfo.environment["PROMTOOL_BINARY"] ?? "/usr/bin/promtool"

    @Test func promtoolAnalyzeReportsTheSeriesAndLabelCounts() throws {
        let dir = try TempDir("block-promtool-analyze")
        defer { dir.remove() }
        let series = try BlockFixtures.series(count: 150, seed: 41, maxSamples: 300)
        let meta = try BlockFixtures.write(series, to: dir.path)

        let r = try Command.run(Self.promtool, ["tsdb", "analyze", "--extended", dir.path, meta.ulid.description])
        try #require(r.status == 0, "promtool analyze failed: \(r.stderr)")
        #expect(r.stdout.contains("Block ID: \(meta.ulid)"), "\(r.stdout)")
        #expect(r.stdout.contains("Series: \(series.count)\n"), "\(r.stdout)")
        let names = Set(series.flatMap { $0.labels.map(\.name) })
        #expect(r.stdout.contains("Label names: \(names.count)\n"), "\(r.stdout)")
        let pairs = Set(series.flatMap { $0.labels.map { $0.name + "=" + $0.value } })
        #expect(r.stdout.contains("Postings (unique label pairs): \(pairs.count)\n"), "\(r.stdout)")
    }

    @Test func promtoolDumpReadsEverySampleOfSeveralBlocks() throws {
        let dir = try TempDir("block-promtool-dump")
        defer { dir.remove() }
        // Two adjacent blocks, one with tiny segments, so the dump crosses both and
        // many segment files.
        var expected: [String: [Sample]] = [:]
        for (k, seed) in [UInt64(51), 52].enumerated() {
            let minT = BlockFixtures.blockMinTime + Int64(k) * 2 * BlockFixtures.hour
            var rng = SeededRandom(seed: seed)
            var series: [(labels: Labels, chunks: [SeriesChunk])] = []
            for i in 0..<40 {
                let labels = Labels(["__name__": "tundra_test_metric", "series": "s\(i)", "job": BlockFixtures.jobs[i % 4]])
                let samples = BlockFixtures.sampleStream(&rng, count: rng.int(in: 1...500), minTime: minT, maxTime: minT + 2 * BlockFixtures.hour)
                series.append((labels, try SampleChunker.chunks(samples)))
                expected[Self.key(labels), default: []] += samples
            }
            var options = BlockWriterOptions()
            options.maxSegmentSize = k == 0 ? ChunkSegment.defaultMaxSize : 2048
            try BlockWriter.write(
                parentDirectory: dir.path, minTime: minT, maxTime: minT + 2 * BlockFixtures.hour, series: series, options: options)
        }

        // promtool 2.42 opens the folder as a whole read-only database and fails when
        // it has no `wal` folder, as every Prometheus data folder has.
        try FileManager.default.createDirectory(atPath: dir.path + "/wal", withIntermediateDirectories: false)
        let r = try Command.run(
            Self.promtool,
            ["tsdb", "dump", "--min-time=\(BlockFixtures.blockMinTime)", "--max-time=\(BlockFixtures.blockMinTime + 4 * BlockFixtures.hour)", dir.path])
        try #require(r.status == 0, "promtool dump failed: \(r.stderr)")
        var dumped: [String: [Sample]] = [:]
        for line in r.stdout.split(separator: "\n") {
            // `{labels} value timestamp`; labels hold no spaces after the last "} ".
            guard let close = line.range(of: "} ", options: .backwards) else { continue }
            let fields = line[close.upperBound...].split(separator: " ")
            guard fields.count == 2, let t = Int64(fields[1]) else {
                Issue.record("unparsable dump line \(line)")
                continue
            }
            dumped[String(line[...close.lowerBound]), default: []].append(Sample(t: t, v: Self.goFloat(String(fields[0]))))
        }
        #expect(Set(dumped.keys) == Set(expected.keys))
        for (key, want) in expected {
            let got = dumped[key] ?? []
            let same = got.count == want.count && zip(got, want).allSatisfy { $0.t == $1.t && ($0.v == $1.v || ($0.v.isNaN && $1.v.isNaN)) }
            #expect(same, "samples of \(key): \(got.count) dumped, \(want.count) written")
        }
    }

    /// How promtool prints a series: Go's `labels.Labels.String()`.
    static func key(_ labels: Labels) -> String {
        "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
    }

    /// Parses a float printed by Go's `%g`.
    static func goFloat(_ s: String) -> Double {
        switch s {
        case "NaN": .nan
        case "+Inf": .infinity
        case "-Inf": -.infinity
        default: Double(s) ?? .nan
        }
    }
}
