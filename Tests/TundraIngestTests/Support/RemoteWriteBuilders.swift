import SwiftProtobuf
import TundraFuzz
import TundraModel

@testable import TundraIngest

/// One series to put in a request, labels as given (valid or not).
struct TestSeries {
    var labels: [(String, String)]
    var samples: [Sample]
    var exemplars = 0
    var histograms = 0
}

/// Builds remote-write requests with the generated messages, as a sender would.
enum RWBuild {
    static func v1(_ series: [TestSeries], metadata: [Prometheus_MetricMetadata] = []) -> Prometheus_WriteRequest {
        var req = Prometheus_WriteRequest()
        req.timeseries = series.map { s in
            var ts = Prometheus_TimeSeries()
            ts.labels = s.labels.map { n, v in
                var l = Prometheus_Label()
                l.name = n
                l.value = v
                return l
            }
            ts.samples = s.samples.map { x in
                var p = Prometheus_Sample()
                p.timestamp = x.t
                p.value = x.v
                return p
            }
            ts.exemplars = (0..<s.exemplars).map { i in
                var e = Prometheus_Exemplar()
                var l = Prometheus_Label()
                l.name = "trace_id"
                l.value = "t\(i)"
                e.labels = [l]
                e.value = Double(i)
                e.timestamp = Int64(i)
                return e
            }
            ts.histograms = (0..<s.histograms).map { i in
                var h = Prometheus_Histogram()
                h.countInt = UInt64(i + 1)
                h.sum = Double(i)
                h.timestamp = Int64(i)
                return h
            }
            return ts
        }
        req.metadata = metadata
        return req
    }

    static func v1Metadata(_ family: String, _ type: Prometheus_MetricMetadata.MetricType, help: String = "", unit: String = "")
        -> Prometheus_MetricMetadata
    {
        var m = Prometheus_MetricMetadata()
        m.metricFamilyName = family
        m.type = type
        m.help = help
        m.unit = unit
        return m
    }

    /// A v2 symbol table: symbol 0 is the empty string, as the spec requires.
    struct Symbols {
        var symbols = [""]
        var index: [String: UInt32] = ["": 0]

        mutating func ref(_ s: String) -> UInt32 {
            if let r = index[s] { return r }
            let r = UInt32(symbols.count)
            symbols.append(s)
            index[s] = r
            return r
        }
    }

    static func v2Series(_ s: TestSeries, _ table: inout Symbols) -> Io_Prometheus_Write_V2_TimeSeries {
        var ts = Io_Prometheus_Write_V2_TimeSeries()
        ts.labelsRefs = s.labels.flatMap { [table.ref($0.0), table.ref($0.1)] }
        ts.samples = s.samples.map { x in
            var p = Io_Prometheus_Write_V2_Sample()
            p.timestamp = x.t
            p.value = x.v
            return p
        }
        ts.exemplars = (0..<s.exemplars).map { i in
            var e = Io_Prometheus_Write_V2_Exemplar()
            e.labelsRefs = [table.ref("trace_id"), table.ref("t\(i)")]
            e.value = Double(i)
            e.timestamp = Int64(i)
            return e
        }
        ts.histograms = (0..<s.histograms).map { i in
            var h = Io_Prometheus_Write_V2_Histogram()
            h.countInt = UInt64(i + 1)
            h.sum = Double(i)
            h.timestamp = Int64(i)
            return h
        }
        return ts
    }

    static func v2(_ series: [TestSeries]) -> Io_Prometheus_Write_V2_Request {
        var table = Symbols()
        var req = Io_Prometheus_Write_V2_Request()
        req.timeseries = series.map { v2Series($0, &table) }
        req.symbols = table.symbols
        return req
    }

    static func raw(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        try message.serializedBytes()
    }

    static func compressed(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        Snappy.compress(try raw(message))
    }
}

/// Decodes bytes every way the fuzz entry does, and checks that the fuzz entry agrees.
enum RWCheck {
    /// The samples of one decode, or nil when it threw.
    static func samples(_ bytes: [UInt8], _ version: RemoteWriteVersion, compressed: Bool) -> Int? {
        let decoder = RemoteWriteDecoder()
        do {
            let w = compressed ? try decoder.decode(compressed: bytes, version: version) : try decoder.decode(raw: bytes, version: version)
            return w.sampleCount
        } catch {
            return nil
        }
    }

    /// What `RemoteWriteFuzz.run` must return for `bytes`: the samples of the four decodes.
    static func expectedRun(_ bytes: [UInt8]) -> Int {
        var n = 0
        for v in [RemoteWriteVersion.v1, .v2] {
            for c in [false, true] { n += samples(bytes, v, compressed: c) ?? 0 }
        }
        return n
    }

    /// Runs `bytes` through the fuzz entry (which traps on a broken invariant) and
    /// returns whether it agreed with the plain decodes.
    static func fuzzAgrees(_ bytes: [UInt8]) -> Bool {
        RemoteWriteFuzz.run(bytes) == expectedRun(bytes)
    }
}
