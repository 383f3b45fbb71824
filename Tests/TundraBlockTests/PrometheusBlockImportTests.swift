import Foundation
import Testing
import TundraBlock
import TundraModel
import TundraTestSupport

/// Blocks written by Prometheus itself (`promtool tsdb create-blocks-from
/// openmetrics`, the backfill path of 2.42) read by our reader.
@Suite struct PrometheusBlockImportTests {
    @Test func blocksWrittenByPrometheusReadBackSampleForSample() throws {
        let dir = try TempDir("block-import")
        defer { dir.remove() }
        var rng = SeededRandom(seed: 61)
        var expected: [(labels: Labels, samples: [Sample])] = []
        var text = ""
        // Three hours of data: Prometheus cuts it into more than one 2h block.
        let start = BlockFixtures.blockMinTime + 1_800_000
        for name in ["import_requests", "import_temperature"] {
            for i in 0..<25 {
                let labels = Labels(["__name__": name, "instance": "host-\(i)", "zone": ["a", "b", "zürich"][i % 3]])
                var samples: [Sample] = []
                var t = start + Int64(rng.int(in: 0...14_000))
                var v = Double(rng.int(in: 0...100))
                while t < start + 3 * BlockFixtures.hour && samples.count < 400 {
                    v += Double(rng.int(in: -400...400)) / 8.0
                    samples.append(Sample(t: t, v: v))
                    t += Int64(rng.int(in: 15_000...45_000))
                }
                expected.append((labels, samples))
                let series = "\(name){instance=\"host-\(i)\",zone=\"\(labels["zone"] ?? "")\"}"
                for s in samples {
                    // OpenMetrics timestamps are seconds; three decimals keep milliseconds exact.
                    text += "\(series) \(s.v) \(s.t / 1000).\(String(format: "%03d", s.t % 1000))\n"
                }
            }
        }
        text += "# EOF\n"
        let input = dir.path + "/input.om"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let out = dir.path + "/blocks"
        let r = try Command.run(PromtoolTests.promtool, ["tsdb", "create-blocks-from", "openmetrics", input, out])
        try #require(r.status == 0, "promtool create-blocks-from failed: \(r.stderr)\(r.stdout)")

        let ids = try BlockDirectory.blocks(in: out)
        try #require(ids.count >= 2, "Prometheus wrote \(ids.count) blocks")
        var got: [String: [Sample]] = [:]
        for id in ids {
            let block = try BlockReader(directory: out + "/" + id.description)
            #expect(block.meta.tundra == nil)
            #expect(block.meta.stats.numSeries > 0)
            for s in try block.select(matchers: [try Matcher(.regexMatch, "__name__", "import_.*")]) {
                got[s.labels.description, default: []] += try block.samples(of: s)
            }
        }
        #expect(got.count == expected.count)
        for (labels, samples) in expected {
            let read = (got[labels.description] ?? []).sorted { $0.t < $1.t }
            #expect(BlockFixtures.sameSamples(read, samples), "samples of \(labels): read \(read.count), wrote \(samples.count)")
        }
    }
}
