import SwiftProtobuf
import Testing
import TundraFuzz
import TundraModel
import TundraTestSupport

@testable import TundraIngest

/// The hand-written v1 reader against swift-protobuf, the reference: on every input
/// both accept, they must agree exactly.
@Suite struct WriteRequestV1ReaderTests {
    func same(_ a: DecodedWrite, _ b: DecodedWrite) -> Bool {
        a.series == b.series && a.histograms == b.histograms && a.exemplars == b.exemplars && a.metadata == b.metadata
            && a.invalid.count == b.invalid.count
            && zip(a.invalid, b.invalid).allSatisfy { $0.labels == $1.labels && $0.reason == $1.reason && $0.samples == $1.samples }
    }

    func randomRequest(_ rng: inout SeededRandom) -> Prometheus_WriteRequest {
        let names = ["__name__", "job", "instance", "le", "a-b", "", "mode", "x", "__name__"]
        let values = ["up", "node", "host:9100", "0.5", "", "idle", "é🙂", "bad metric", "1x"]
        var req = Prometheus_WriteRequest()
        for _ in 0..<Int.random(in: 0...20, using: &rng) {
            var ts = Prometheus_TimeSeries()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                var l = Prometheus_Label()
                l.name = names.randomElement(using: &rng) ?? ""
                l.value = values.randomElement(using: &rng) ?? ""
                ts.labels.append(l)
            }
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                var s = Prometheus_Sample()
                s.timestamp = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)
                s.value = Double(bitPattern: rng.next())
                ts.samples.append(s)
            }
            for _ in 0..<Int.random(in: 0...1, using: &rng) {
                var e = Prometheus_Exemplar()
                e.value = 1
                ts.exemplars.append(e)
            }
            for _ in 0..<Int.random(in: 0...1, using: &rng) {
                var h = Prometheus_Histogram()
                h.sum = 2
                ts.histograms.append(h)
            }
            req.timeseries.append(ts)
        }
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            var m = Prometheus_MetricMetadata()
            m.metricFamilyName = ["up", "", "node_cpu"].randomElement(using: &rng) ?? ""
            m.type = .counter
            m.help = "help"
            req.metadata.append(m)
        }
        return req
    }

    @Test func agreesWithSwiftProtobufOnRandomRequests() throws {
        var rng = SeededRandom(seed: 0x5eed_0001)
        let decoder = RemoteWriteDecoder()
        var nonEmpty = 0
        for i in 0..<2_000 {
            let raw: [UInt8] = try randomRequest(&rng).serializedBytes()
            let fast = try decoder.decode(raw: raw, version: .v1)
            let reference = try decoder.decodeWithSwiftProtobuf(raw: raw, version: .v1)
            #expect(same(fast, reference), "request \(i) (seed \(rng.seed))")
            if !fast.series.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 500, "the generator should produce valid series")
    }

    @Test func agreesWithSwiftProtobufOnMutatedBodiesWheneverBothAccept() throws {
        var rng = SeededRandom(seed: 0x5eed_0002)
        let decoder = RemoteWriteDecoder()
        var bothAccepted = 0
        var bothRefused = 0
        for _ in 0..<3_000 {
            var raw: [UInt8] = try randomRequest(&rng).serializedBytes()
            guard !raw.isEmpty else { continue }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                raw[Int.random(in: 0..<raw.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let fast = try? decoder.decode(raw: raw, version: .v1)
            let reference = try? decoder.decodeWithSwiftProtobuf(raw: raw, version: .v1)
            switch (fast, reference) {
            case (let f?, let r?):
                bothAccepted += 1
                #expect(same(f, r), "seed \(rng.seed)")
            case (nil, nil):
                bothRefused += 1
            default:
                // Only wire-type mismatches on known fields differ: swift-protobuf
                // refuses them, the reader skips them as unknown. Neither crashes.
                break
            }
        }
        #expect(bothAccepted > 100 && bothRefused > 100)
    }

    @Test func rejectsTruncationAndBadUTF8LikeTheReference() throws {
        var req = Prometheus_WriteRequest()
        var ts = Prometheus_TimeSeries()
        var l = Prometheus_Label()
        l.name = "__name__"
        l.value = "up"
        ts.labels = [l]
        var s = Prometheus_Sample()
        s.value = 1
        s.timestamp = 5
        ts.samples = [s]
        req.timeseries = [ts]
        let raw: [UInt8] = try req.serializedBytes()
        let decoder = RemoteWriteDecoder()
        for cut in 1..<raw.count {
            #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(raw: Array(raw.prefix(cut)), version: .v1) }
        }
        var bad = raw
        if let i = bad.firstIndex(of: UInt8(ascii: "u")) { bad[i] = 0xff }
        #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(raw: bad, version: .v1) }
        #expect(throws: RemoteWriteDecodeError.self) { try decoder.decodeWithSwiftProtobuf(raw: bad, version: .v1) }
    }
}
