import Foundation
import SwiftProtobuf
import Testing
import TundraIngest
import TundraModel
import TundraTestSupport

/// Remote-write against the real `tundra serve` over HTTP.
@Suite(.serialized)
struct RemoteWriteHTTPTests {
    static let t0: Int64 = 1_800_000_000_000

    func series(_ name: String, _ extra: [String: String] = [:], _ samples: [(Int64, Double)]) -> SeriesSamples {
        var d = extra
        d["__name__"] = name
        return SeriesSamples(labels: Labels(d), samples: samples.map { Sample(t: $0.0, v: $0.1) })
    }

    @Test func v1WriteIsStoredAndAnswered204WithWrittenHeaders() async throws {
        let dir = try TempDir("rw-v1")
        defer { dir.remove() }
        let server = try await TundraServerProcess(dataDir: dir.path)
        defer { server.stop() }
        let a = series("http_requests_total", ["job": "api"], [(Self.t0, 1), (Self.t0 + 15_000, 2)])
        let stale = series("up", ["job": "api"], [(Self.t0, 1), (Self.t0 + 15_000, StaleNaN.value)])
        let (status, headers, _) = try await HTTP.post(
            server.baseURL + "/api/v1/write", body: try RemoteWriteBody.v1([a, stale]), headers: RemoteWriteBody.v1Headers)
        #expect(status == 204)
        #expect(headers["x-prometheus-remote-write-samples-written"] == "4")
        let stored = try Dump.read(dataDir: dir.path)
        #expect(stored[Dump.key(a.labels)] == a.samples)
        let upSamples = try #require(stored[Dump.key(stale.labels)])
        #expect(upSamples.count == 2)
        #expect(upSamples.last?.v.bitPattern == StaleNaN.bits, "the stale marker is stored as such")
    }

    @Test func v2WriteWithSymbolsAndMetadataIsStored() async throws {
        let dir = try TempDir("rw-v2")
        defer { dir.remove() }
        let server = try await TundraServerProcess(dataDir: dir.path)
        defer { server.stop() }
        let a = series("jobs_done_total", ["queue": "q1"], [(Self.t0, 10), (Self.t0 + 1000, 11)])
        let b = series("jobs_done_total", ["queue": "q2"], [(Self.t0, 5)])
        let (status, headers, _) = try await HTTP.post(
            server.baseURL + "/api/v1/write", body: try RemoteWriteBody.v2([a, b], help: ["jobs_done_total": "Jobs done."]),
            headers: RemoteWriteBody.v2Headers)
        #expect(status == 204)
        #expect(headers["x-prometheus-remote-write-samples-written"] == "3")
        #expect(headers["x-prometheus-remote-write-histograms-written"] == "0")
        #expect(headers["x-prometheus-remote-write-exemplars-written"] == "0")
        let stored = try Dump.read(dataDir: dir.path, metric: "jobs_done_total")
        #expect(stored[Dump.key(a.labels)] == a.samples)
        #expect(stored[Dump.key(b.labels)] == b.samples)
        let (mdStatus, _, body) = try await HTTP.get(server.baseURL + "/api/v1/metadata")
        #expect(mdStatus == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let data = try #require(json["data"] as? [String: [[String: String]]])
        #expect(data["jobs_done_total"]?.first?["help"] == "Jobs done.")
        #expect(data["jobs_done_total"]?.first?["type"] == "counter")
    }

    @Test func badSeriesAreRefusedWithA400ThatNamesThemWhileGoodOnesAreStored() async throws {
        let dir = try TempDir("rw-bad")
        defer { dir.remove() }
        let server = try await TundraServerProcess(dataDir: dir.path)
        defer { server.stop() }
        let good = [Sample(t: Self.t0, v: 1)]
        let body = try RemoteWriteBody.v1Raw([
            ([("__name__", "good_metric"), ("a", "1")], good),
            ([("__name__", "no_name_label"), ("", "x")], good),
            ([("__name__", "bad-label"), ("a", "1")], good),
            ([("a", "1")], good),
            ([("__name__", "dup"), ("a", "1"), ("a", "2")], good),
            ([("__name__", "bad_char"), ("a-b", "1")], good),
        ])
        let (status, _, text) = try await HTTP.post(server.baseURL + "/api/v1/write", body: body, headers: RemoteWriteBody.v1Headers)
        let message = String(decoding: text, as: UTF8.self)
        #expect(status == 400)
        #expect(message.contains("5 of 6 samples refused"), "\(message)")
        #expect(message.contains("empty label name"), "\(message)")
        #expect(message.contains("invalid metric name \"bad-label\""), "\(message)")
        #expect(message.contains("no metric name"), "\(message)")
        #expect(message.contains("duplicate label name \"a\""), "\(message)")
        #expect(message.contains("invalid label name \"a-b\""), "\(message)")
        let stored = try Dump.read(dataDir: dir.path)
        #expect(stored.keys.sorted() == [Dump.key(Labels(["__name__": "good_metric", "a": "1"]))])
    }

    @Test func tooOldAndConflictingSamplesAreReportedAndTheRestStored() async throws {
        let dir = try TempDir("rw-old")
        defer { dir.remove() }
        let server = try await TundraServerProcess(dataDir: dir.path)
        defer { server.stop() }
        let url = server.baseURL + "/api/v1/write"
        let first = series("temp", [:], [(Self.t0, 20)])
        #expect(try await HTTP.post(url, body: try RemoteWriteBody.v1([first]), headers: RemoteWriteBody.v1Headers).0 == 204)
        let late = series("temp", [:], [(Self.t0 - 16 * 60_000, 1), (Self.t0, 21), (Self.t0 + 1000, 22)])
        let (status, _, text) = try await HTTP.post(url, body: try RemoteWriteBody.v1([late]), headers: RemoteWriteBody.v1Headers)
        let message = String(decoding: text, as: UTF8.self)
        #expect(status == 400)
        #expect(message.contains("too old"), "\(message)")
        #expect(message.contains("duplicate sample"), "\(message)")
        #expect(message.contains("temp"), "the message names the series: \(message)")
        let stored = try Dump.read(dataDir: dir.path, metric: "temp")
        #expect(stored[Dump.key(first.labels)] == [Sample(t: Self.t0, v: 20), Sample(t: Self.t0 + 1000, v: 22)])
    }

    @Test func malformedBodiesGet400AndWrongTypes415AndLargeBodies413() async throws {
        let dir = try TempDir("rw-malformed")
        defer { dir.remove() }
        let server = try await TundraServerProcess(dataDir: dir.path, extraArgs: ["--max-request-mib", "1"])
        defer { server.stop() }
        let url = server.baseURL + "/api/v1/write"
        let notSnappy = try await HTTP.post(url, body: Data("hello".utf8), headers: RemoteWriteBody.v1Headers)
        #expect(notSnappy.0 == 400)
        #expect(String(decoding: notSnappy.2, as: UTF8.self).contains("snappy"))
        let notProto = try await HTTP.post(url, body: Data(Snappy.compress([0xff, 0xff, 0xff, 0x07])), headers: RemoteWriteBody.v1Headers)
        #expect(notProto.0 == 400)
        #expect(String(decoding: notProto.2, as: UTF8.self).contains("prometheus.WriteRequest"))
        var wrongProto = RemoteWriteBody.v1Headers
        wrongProto["Content-Type"] = "application/x-protobuf;proto=something.Else"
        #expect(try await HTTP.post(url, body: Data(), headers: wrongProto).0 == 415)
        var zstd = RemoteWriteBody.v1Headers
        zstd["Content-Encoding"] = "zstd"
        #expect(try await HTTP.post(url, body: Data(), headers: zstd).0 == 415)
        var json = RemoteWriteBody.v1Headers
        json["Content-Type"] = "application/json"
        #expect(try await HTTP.post(url, body: Data(), headers: json).0 == 415)
        let big = Data(repeating: 7, count: (1 << 20) + 1)
        #expect(try await HTTP.post(url, body: big, headers: RemoteWriteBody.v1Headers).0 == 413)
        // A v2 series that points past the symbol table.
        var req = Io_Prometheus_Write_V2_Request()
        req.symbols = ["", "__name__"]
        var ts = Io_Prometheus_Write_V2_TimeSeries()
        ts.labelsRefs = [1, 9]
        req.timeseries = [ts]
        let badRef = try await HTTP.post(
            url, body: Data(Snappy.compress(try req.serializedBytes())), headers: RemoteWriteBody.v2Headers)
        #expect(badRef.0 == 400)
        #expect(String(decoding: badRef.2, as: UTF8.self).contains("symbol 9"))
        // The server is still healthy after all of that.
        #expect(try await HTTP.get(server.baseURL + "/-/healthy").0 == 200)
    }

    @Test func sigtermStopsCleanlyAndARestartReplaysEverything() async throws {
        let dir = try TempDir("rw-restart")
        defer { dir.remove() }
        var server = try await TundraServerProcess(dataDir: dir.path)
        let a = series("restart_total", [:], (0..<500).map { (Self.t0 + Int64($0) * 1000, Double($0)) })
        #expect(try await HTTP.post(server.baseURL + "/api/v1/write", body: try RemoteWriteBody.v1([a]), headers: RemoteWriteBody.v1Headers).0 == 204)
        #expect(server.stop() == 0, "exit status after SIGTERM: \(server.log)")
        server = try await TundraServerProcess(dataDir: dir.path)
        defer { server.stop() }
        #expect(try Dump.read(dataDir: dir.path, metric: "restart_total")[Dump.key(a.labels)] == a.samples)
        let (status, _, metrics) = try await HTTP.get(server.baseURL + "/metrics")
        #expect(status == 200)
        #expect(String(decoding: metrics, as: UTF8.self).contains("tundra_head_series 1"))
    }

    @Test func aLargeRequestSetArrivesCompletely() async throws {
        let dir = try TempDir("rw-large")
        defer { dir.remove() }
        let server = try await TundraServerProcess(dataDir: dir.path)
        defer { server.stop() }
        // 2,000 series x 150 samples = 300,000 samples in 150 requests of 2,000
        // samples (200 series x 10), sent by 4 concurrent senders, as Prometheus'
        // sharded queue would.
        let labels = (0..<2000).map { i in
            Labels(["__name__": "load_metric_\(i % 20)", "instance": "host-\(i / 20)", "job": "load"])
        }
        func value(_ s: Int, _ k: Int) -> Double { Double(s * 1000 + k) / 8 }
        var bodies: [Data] = []
        for step in 0..<15 {
            for part in 0..<10 {
                let batch = (part * 200..<(part + 1) * 200).map { s in
                    SeriesSamples(labels: labels[s], samples: (0..<10).map { j in
                        let k = step * 10 + j
                        return Sample(t: Self.t0 + Int64(k) * 10_000, v: value(s, k))
                    })
                }
                bodies.append(try RemoteWriteBody.v1(batch))
            }
        }
        let url = server.baseURL + "/api/v1/write"
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for shard in 0..<4 {
                let mine = bodies.enumerated().filter { $0.offset % 4 == shard }.map(\.element)
                group.addTask {
                    var out: [Int] = []
                    for b in mine { out.append(try await HTTP.post(url, body: b, headers: RemoteWriteBody.v1Headers).0) }
                    return out
                }
            }
            var all: [Int] = []
            for try await s in group { all += s }
            return all
        }
        #expect(statuses.count == 150)
        #expect(statuses.allSatisfy { $0 == 204 })
        let stored = try Dump.read(dataDir: dir.path)
        var total = 0
        var wrong = 0
        for (s, l) in labels.enumerated() {
            let got = stored[Dump.key(l)] ?? []
            total += got.count
            let want = (0..<150).map { k in Sample(t: Self.t0 + Int64(k) * 10_000, v: value(s, k)) }
            if got != want { wrong += 1 }
        }
        #expect(total == 300_000)
        #expect(wrong == 0)
    }
}
