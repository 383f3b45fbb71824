import Foundation
import Testing
import TundraModel
import TundraTestSupport

/// Pull: Tundra scrapes a real HTTP server (Python's http.server serving a file we
/// rewrite) and writes `up`, staleness markers and relabelled series as Prometheus does.
@Suite(.serialized)
struct ScrapeTests {
    func last(_ stored: [String: [Sample]], _ prefix: String) -> Sample? {
        stored.first { $0.key.hasPrefix(prefix) }?.value.last
    }

    func waitFor(_ what: String, dataDir: String, _ condition: ([String: [Sample]]) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        var stored: [String: [Sample]] = [:]
        while ContinuousClock.now < deadline {
            stored = try Dump.read(dataDir: dataDir)
            if condition(stored) { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting for: \(what); have \(stored.keys.sorted())")
    }

    @Test(.timeLimit(.minutes(2)))
    func scrapesTargetsWithStalenessRelabellingAndFileDiscovery() async throws {
        let dir = try TempDir("scrape")
        defer { dir.remove() }
        let site = dir.path + "/site"
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        let good = """
            # HELP a_total A counter.
            # TYPE a_total counter
            a_total{path="/x"} 5
            b_gauge 1
            go_junk 3
            clash{job="inner"} 1

            """
        try good.write(toFile: site + "/metrics", atomically: true, encoding: .utf8)
        let webPort = FreePort.next()
        let web = Process()
        web.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        web.arguments = ["python3", "-m", "http.server", String(webPort), "--bind", "127.0.0.1", "--directory", site]
        web.standardOutput = FileHandle.nullDevice
        web.standardError = FileHandle.nullDevice
        try web.run()
        defer {
            if web.isRunning { kill(web.processIdentifier, SIGKILL) }
            web.waitUntilExit()
        }
        try "[]".write(toFile: dir.path + "/targets.json", atomically: true, encoding: .utf8)
        let config = """
            scrape_configs:
              - job_name: static
                scrape_interval: 1s
                static_configs:
                  - targets: ['127.0.0.1:\(webPort)']
                    labels: {env: test}
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: go_.*
                    action: drop
              - job_name: filesd
                scrape_interval: 1s
                file_sd_configs:
                  - files: [\(dir.path)/targets.json]
            """
        try config.write(toFile: dir.path + "/tundra.yml", atomically: true, encoding: .utf8)
        let server = try await TundraServerProcess(dataDir: dir.path + "/data", extraArgs: ["--config", dir.path + "/tundra.yml"])
        defer { server.stop() }
        let inst = "instance=\"127.0.0.1:\(webPort)\""
        let upStatic = "{__name__=\"up\", env=\"test\", \(inst), job=\"static\"}"
        let aTotal = "{__name__=\"a_total\", env=\"test\", \(inst), job=\"static\", path=\"/x\"}"
        let bGauge = "{__name__=\"b_gauge\", env=\"test\", \(inst), job=\"static\"}"
        let clash = "{__name__=\"clash\", env=\"test\", exported_job=\"inner\", \(inst), job=\"static\"}"

        try await waitFor("first scrapes", dataDir: server.dataDir) { ($0[upStatic]?.count ?? 0) >= 2 && $0[aTotal] != nil }
        var stored = try Dump.read(dataDir: server.dataDir)
        #expect(stored[upStatic]?.last?.v == 1)
        #expect(stored[aTotal]?.last?.v == 5)
        #expect(stored[bGauge]?.last?.v == 1)
        #expect(stored[clash] != nil, "a scraped job label is kept as exported_job")
        #expect(!stored.keys.contains { $0.contains("go_junk") }, "metric_relabel_configs drop")
        #expect(stored.keys.contains { $0.hasPrefix("{__name__=\"scrape_duration_seconds\"") })
        let scraped = stored.first { $0.key.hasPrefix("{__name__=\"scrape_samples_scraped\"") && $0.key.contains("static") }
        #expect(scraped?.value.last?.v == 4)

        // A series that disappears gets a staleness marker.
        try good.replacingOccurrences(of: "b_gauge 1\n", with: "").write(toFile: site + "/metrics", atomically: true, encoding: .utf8)
        try await waitFor("b_gauge stale", dataDir: server.dataDir) { $0[bGauge]?.last.map { StaleNaN.isStale($0.v) } == true }

        // A malformed body fails the scrape: up is 0 and the series go stale.
        try "a_total{path=\"/x\" 5\n".write(toFile: site + "/metrics", atomically: true, encoding: .utf8)
        try await waitFor("up 0 after malformed body", dataDir: server.dataDir) { $0[upStatic]?.last?.v == 0 }
        stored = try Dump.read(dataDir: server.dataDir)
        #expect(stored[aTotal]?.last.map { StaleNaN.isStale($0.v) } == true)
        #expect(server.log.contains("malformed exposition"), "the error is visible in the log")

        // File discovery: a target added to the file is scraped with the file's labels.
        try good.write(toFile: site + "/metrics", atomically: true, encoding: .utf8)
        try "[{\"targets\": [\"127.0.0.1:\(webPort)\"], \"labels\": {\"team\": \"x\"}}]"
            .write(toFile: dir.path + "/targets.json", atomically: true, encoding: .utf8)
        let upFile = "{__name__=\"up\", \(inst), job=\"filesd\", team=\"x\"}"
        try await waitFor("file_sd target", dataDir: server.dataDir) { $0[upFile]?.last?.v == 1 }

        // And removed again: its series end with staleness markers.
        try "[]".write(toFile: dir.path + "/targets.json", atomically: true, encoding: .utf8)
        try await waitFor("file_sd target gone", dataDir: server.dataDir) { $0[upFile]?.last.map { StaleNaN.isStale($0.v) } == true }

        // A target that goes down: up 0.
        kill(web.processIdentifier, SIGKILL)
        web.waitUntilExit()
        try await waitFor("up 0 after the target died", dataDir: server.dataDir) { $0[upStatic]?.last?.v == 0 }
    }
}
