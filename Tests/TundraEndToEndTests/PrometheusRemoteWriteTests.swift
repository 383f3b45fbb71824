import Foundation
import Testing
import TundraModel
import TundraTestSupport

/// The real Prometheus scrapes itself every second and remote-writes to Tundra;
/// every sample Prometheus holds must be in Tundra, with the same value bits.
@Suite(.serialized)
struct PrometheusRemoteWriteTests {
    @Test(.timeLimit(.minutes(3)))
    func everySamplePrometheusHasArrivesInTundra() async throws {
        let dir = try TempDir("prom-rw")
        defer { dir.remove() }
        let tundra = try await TundraServerProcess(dataDir: dir.path + "/tundra")
        defer { tundra.stop() }
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:$PORT']
            remote_write:
              - url: \(tundra.baseURL)/api/v1/write
                queue_config:
                  batch_send_deadline: 1s
                  min_backoff: 100ms
                  max_backoff: 1s
            """
        let prometheus = try await PrometheusProcess(workDir: dir.path, config: config)
        defer { prometheus.stop() }

        // Prometheus starts scraping a few seconds after it is ready; let it take
        // several scrapes, then pick a cut-off that remote-write has passed.
        let scrapeDeadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < scrapeDeadline {
            let up = try await prometheus.query("count_over_time(up[1m])", time: Date().timeIntervalSince1970)
            if let v = up.first?["value"] as? [Any], let n = (v.last as? String).flatMap(Double.init), n >= 6 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let cutoffMs = Int64(Date().timeIntervalSince1970 * 1000) - 3_000
        let deadline = ContinuousClock.now + .seconds(30)
        var stored: [String: [Sample]] = [:]
        while ContinuousClock.now < deadline {
            stored = try Dump.read(dataDir: tundra.dataDir, metric: "up")
            if stored.values.contains(where: { ($0.last?.t ?? 0) >= cutoffMs }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        stored = try Dump.read(dataDir: tundra.dataDir)

        let result = try await prometheus.query(#"{__name__=~".+"}[1m]"#, time: Double(cutoffMs) / 1000)
        var compared = 0
        var missingSeries: [String] = []
        var mismatched: [String] = []
        for series in result {
            guard let metric = series["metric"] as? [String: String], let values = series["values"] as? [[Any]] else { continue }
            let key = Dump.key(Labels(metric))
            guard let mine = stored[key] else {
                missingSeries.append(key)
                continue
            }
            var byTime: [Int64: Double] = [:]
            for s in mine { byTime[s.t] = s.v }
            for pair in values {
                guard pair.count == 2, let ts = pair[0] as? Double, let text = pair[1] as? String else { continue }
                let t = Int64((ts * 1000).rounded())
                let want = Double(text) ?? (text == "+Inf" ? .infinity : text == "-Inf" ? -.infinity : .nan)
                compared += 1
                guard let got = byTime[t] else {
                    mismatched.append("\(key) @\(t): missing")
                    continue
                }
                let same = got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN) || got == want
                if !same { mismatched.append("\(key) @\(t): \(got) != \(want)") }
            }
        }
        let seriesCount = result.count

        #expect(seriesCount > 50, "Prometheus should have its own series by now")
        #expect(compared > 500, "too few samples compared")
        let missingCount = missingSeries.count
        #expect(missingCount == 0, "series not in Tundra: \(missingSeries.prefix(5))")
        let mismatchCount = mismatched.count
        #expect(mismatchCount == 0, "samples that differ: \(mismatched.prefix(5))")
    }
}
