import Foundation
import Testing
import TundraBlock
import TundraModel
import TundraTestSupport

/// `tundra tools import --from openmetrics`: history written straight into blocks in
/// the bucket, one per block range; bad input stops it with the line, leaving nothing.
@Suite struct BackfillTests {
    static let t0: Int64 = 1_700_000_000_000
    static let hour: Int64 = 3_600_000

    /// 6 hours of two counters and a gauge, a sample a minute, in OpenMetrics text.
    static func history() -> (text: String, sent: [Labels: [Sample]]) {
        var text = "# TYPE http_requests counter\n"
        var sent: [Labels: [Sample]] = [:]
        for step in 0..<360 {
            let t = t0 + Int64(step) * 60_000
            for code in ["200", "500"] {
                let v = Double(step * (code == "200" ? 10 : 1))
                text += "http_requests_total{code=\"\(code)\"} \(v) \(Double(t) / 1000)\n"
                sent[Labels(["__name__": "http_requests_total", "code": code]), default: []].append(Sample(t: t, v: v))
            }
            let g = Double(step % 17) * 0.5
            text += "temperature_celsius \(g) \(Double(t) / 1000)\n"
            sent[Labels(["__name__": "temperature_celsius"]), default: []].append(Sample(t: t, v: g))
        }
        return (text + "# EOF\n", sent)
    }

    @Test func historyLandsInOneBlockPerRange() throws {
        let dir = try TempDir("backfill")
        defer { dir.remove() }
        let (text, sent) = Self.history()
        try text.write(toFile: dir.path + "/history.om", atomically: true, encoding: .utf8)
        let r = try TundraBinary.run(["tools", "import", "--from", "openmetrics", "--data-dir", dir.path + "/data", dir.path + "/history.om"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("block 1/"), "progress is printed: \(r.stdout)")

        let bucket = dir.path + "/data/bucket"
        let blocks = try BlockDirectory.blocks(in: bucket)
        // 6 hours from t0 cover 4 two-hour ranges (t0 is not on a boundary).
        #expect(blocks.count == 4)
        var read: [Labels: [Sample]] = [:]
        for ulid in blocks {
            let reader = try BlockReader(directory: bucket + "/" + ulid.description)
            #expect(reader.meta.tundra?.source == .import)
            #expect(reader.meta.maxTime - reader.meta.minTime == 2 * Self.hour)
            for s in try reader.select(matchers: [try Matcher(.regexMatch, "__name__", ".+")]) {
                read[s.labels, default: []] += try reader.samples(of: s)
            }
        }
        #expect(read.mapValues { $0.sorted { $0.t < $1.t } } == sent)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data/backfill/" + (blocks.first?.description ?? "")), "local copies go")
    }

    @Test(arguments: [
        ("up 1 1700000000\nup{ 2 1700000060\n# EOF\n", ":2:"),
        ("up 1 1700000000\nup 2\n# EOF\n", ":2: the sample has no timestamp"),
        ("up 1 1700000000\nup 2 1700000060\n", "no # EOF line"),
        ("up 1 1700000000\nup 2 1700000000\n# EOF\n", "two different values at timestamp"),
    ])
    func badInputStopsWithTheLineAndWritesNothing(input: String, message: String) throws {
        let dir = try TempDir("backfill-bad")
        defer { dir.remove() }
        try input.write(toFile: dir.path + "/bad.om", atomically: true, encoding: .utf8)
        let r = try TundraBinary.run(["tools", "import", "--from", "openmetrics", "--data-dir", dir.path + "/data", dir.path + "/bad.om"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        let bucket = dir.path + "/data/bucket"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: bucket)) ?? []).isEmpty, "nothing written")
    }
}
