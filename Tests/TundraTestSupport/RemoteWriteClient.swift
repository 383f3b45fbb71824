import Foundation
import SwiftProtobuf
import TundraIngest
import TundraModel

/// Builds remote-write bodies with the generated messages, as a sender would.
public enum RemoteWriteBody {
    public static func v1(_ series: [SeriesSamples], metadata: [Prometheus_MetricMetadata] = []) throws -> Data {
        try v1Raw(series.map { s in (s.labels.map { ($0.name, $0.value) }, s.samples) }, metadata: metadata)
    }

    /// A v1 body whose series carry raw label pairs (possibly invalid) as given.
    public static func v1Raw(
        _ series: [(labels: [(String, String)], samples: [Sample])], metadata: [Prometheus_MetricMetadata] = []
    ) throws -> Data {
        var req = Prometheus_WriteRequest()
        req.timeseries = series.map { s in
            var ts = Prometheus_TimeSeries()
            ts.labels = s.labels.map { (n, v) in
                var pl = Prometheus_Label()
                pl.name = n
                pl.value = v
                return pl
            }
            ts.samples = s.samples.map { x in
                var ps = Prometheus_Sample()
                ps.timestamp = x.t
                ps.value = x.v
                return ps
            }
            return ts
        }
        req.metadata = metadata
        let raw: [UInt8] = try req.serializedBytes()
        return Data(Snappy.compress(raw))
    }

    public static func v2(_ series: [SeriesSamples], help: [String: String] = [:]) throws -> Data {
        var symbols = [""]
        var index: [String: UInt32] = ["": 0]
        func ref(_ s: String) -> UInt32 {
            if let r = index[s] { return r }
            let r = UInt32(symbols.count)
            symbols.append(s)
            index[s] = r
            return r
        }
        var req = Io_Prometheus_Write_V2_Request()
        req.timeseries = series.map { s in
            var ts = Io_Prometheus_Write_V2_TimeSeries()
            ts.labelsRefs = s.labels.flatMap { [ref($0.name), ref($0.value)] }
            ts.samples = s.samples.map { x in
                var ps = Io_Prometheus_Write_V2_Sample()
                ps.timestamp = x.t
                ps.value = x.v
                return ps
            }
            if let name = s.labels.metricName, let h = help[name] {
                var md = Io_Prometheus_Write_V2_Metadata()
                md.type = .counter
                md.helpRef = ref(h)
                ts.metadata = md
            }
            return ts
        }
        req.symbols = symbols
        let raw: [UInt8] = try req.serializedBytes()
        return Data(Snappy.compress(raw))
    }

    public static let v1Headers = [
        "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
    ]
    public static let v2Headers = [
        "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "2.0.0",
    ]
}

/// Reads a data folder back through `tundra tools dump` (read-only, safe while the
/// server runs).
public enum Dump {
    /// Series (as printed) -> samples, in time order.
    public static func read(dataDir: String, metric: String? = nil) throws -> [String: [Sample]] {
        var args = ["tools", "dump", "--data-dir", dataDir]
        if let metric { args += ["--metric", metric] }
        let r = try TundraBinary.run(args)
        guard r.status == 0 else { throw TestFailure("dump failed: \(r.stderr)") }
        var out: [String: [Sample]] = [:]
        for line in r.stdout.split(separator: "\n") {
            guard let close = line.lastIndex(of: "}") else { continue }
            let labels = String(line[...close])
            let fields = line[line.index(after: close)...].split(separator: " ")
            guard fields.count == 2, let t = Int64(fields[1]) else { continue }
            out[labels, default: []].append(Sample(t: t, v: parseValue(String(fields[0]))))
        }
        return out
    }

    static func parseValue(_ s: String) -> Double {
        if s.hasPrefix("NaN(0x"), let bits = UInt64(s.dropFirst(6).dropLast(), radix: 16) { return Double(bitPattern: bits) }
        if s == "NaN" { return .nan }
        if s == "+Inf" { return .infinity }
        if s == "-Inf" { return -.infinity }
        return Double(s) ?? .nan
    }

    /// How a series prints in the dump: `{a="1", b="2"}` with labels sorted.
    public static func key(_ labels: Labels) -> String {
        "{" + labels.map(\.description).joined(separator: ", ") + "}"
    }
}
