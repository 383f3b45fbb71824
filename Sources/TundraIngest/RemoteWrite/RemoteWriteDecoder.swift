import SwiftProtobuf
import TundraHead
import TundraModel

/// Decodes remote-write bodies (snappy-compressed protobuf) into series for the head.
///
/// Each series is checked on its own (label names valid and unique, a metric name
/// present); a bad series is reported and left out, never costing the good ones.
public struct RemoteWriteDecoder: Sendable {
    /// Largest decompressed body accepted.
    public var maxDecompressedBytes: Int

    public init(maxDecompressedBytes: Int = 64 << 20) {
        self.maxDecompressedBytes = maxDecompressedBytes
    }

    /// Decodes a body. With `head`, series it already holds come back in
    /// ``DecodedWrite/known`` (the fast path of remote-write 1.0); pass the same head
    /// to ``Head/append(_:known:)``.
    public func decode(
        compressed body: [UInt8], version: RemoteWriteVersion, head: Head? = nil
    ) throws(RemoteWriteDecodeError) -> DecodedWrite {
        let raw: [UInt8]
        do {
            raw = try Snappy.decompress(body, limit: maxDecompressedBytes)
        } catch {
            throw RemoteWriteDecodeError(error.description)
        }
        return try decode(raw: raw, version: version, head: head)
    }

    public func decode(raw: [UInt8], version: RemoteWriteVersion, head: Head? = nil) throws(RemoteWriteDecodeError) -> DecodedWrite {
        if version == .v1 { return try WriteRequestV1Reader.decode(raw, head: head) }
        return try decodeWithSwiftProtobuf(raw: raw, version: version)
    }

    /// The reference decoder: swift-protobuf's generated messages. Version 2 always
    /// goes this way; version 1 does only in tests, to check the fast reader.
    func decodeWithSwiftProtobuf(raw: [UInt8], version: RemoteWriteVersion) throws(RemoteWriteDecodeError) -> DecodedWrite {
        do {
            switch version {
            case .v1: return decodeV1(try Prometheus_WriteRequest(serializedBytes: raw))
            case .v2: return try decodeV2(try Io_Prometheus_Write_V2_Request(serializedBytes: raw))
            }
        } catch let e as RemoteWriteDecodeError {
            throw e
        } catch {
            let name = version == .v1 ? "prometheus.WriteRequest" : "io.prometheus.write.v2.Request"
            throw RemoteWriteDecodeError("body is not a valid \(name) protobuf message: \(error)")
        }
    }

    private func decodeV1(_ req: Prometheus_WriteRequest) -> DecodedWrite {
        var out = DecodedWrite()
        out.series.reserveCapacity(req.timeseries.count)
        for ts in req.timeseries {
            out.histograms += ts.histograms.count
            out.exemplars += ts.exemplars.count
            guard !ts.samples.isEmpty else { continue }
            let pairs = ts.labels.map { Label($0.name, $0.value) }
            switch RemoteWriteDecoder.labels(pairs) {
            case .success(let labels):
                out.series.append(SeriesSamples(labels: labels, samples: ts.samples.map { Sample(t: $0.timestamp, v: $0.value) }))
            case .failure(let why):
                out.invalid.append((RemoteWriteDecoder.describe(pairs), why, ts.samples.count))
            }
        }
        for m in req.metadata where !m.metricFamilyName.isEmpty {
            out.metadata[m.metricFamilyName] = MetricMetadata(type: RemoteWriteDecoder.typeName(m.type.rawValue), help: m.help, unit: m.unit)
        }
        return out
    }

    private func decodeV2(_ req: Io_Prometheus_Write_V2_Request) throws(RemoteWriteDecodeError) -> DecodedWrite {
        let symbols = req.symbols
        func symbol(_ ref: UInt32, _ what: String, _ series: Int) throws(RemoteWriteDecodeError) -> String {
            guard Int(ref) < symbols.count else {
                throw RemoteWriteDecodeError(
                    "timeseries[\(series)]: \(what) refers to symbol \(ref), but the table has \(symbols.count) symbols")
            }
            return symbols[Int(ref)]
        }
        var out = DecodedWrite()
        out.series.reserveCapacity(req.timeseries.count)
        for (i, ts) in req.timeseries.enumerated() {
            guard ts.labelsRefs.count % 2 == 0 else {
                throw RemoteWriteDecodeError("timeseries[\(i)]: labels_refs has \(ts.labelsRefs.count) entries; it must hold name/value pairs")
            }
            var pairs: [Label] = []
            pairs.reserveCapacity(ts.labelsRefs.count / 2)
            var k = 0
            while k < ts.labelsRefs.count {
                pairs.append(Label(try symbol(ts.labelsRefs[k], "a label name", i), try symbol(ts.labelsRefs[k + 1], "a label value", i)))
                k += 2
            }
            out.histograms += ts.histograms.count
            out.exemplars += ts.exemplars.count
            // An empty metric name is no family (v1 skips such metadata too).
            if ts.hasMetadata, let name = pairs.first(where: { $0.name == LabelName.metric })?.value, !name.isEmpty {
                let md = ts.metadata
                if md.type.rawValue != 0 || md.helpRef != 0 || md.unitRef != 0 {
                    out.metadata[name] = MetricMetadata(
                        type: RemoteWriteDecoder.typeName(md.type.rawValue), help: try symbol(md.helpRef, "help_ref", i),
                        unit: try symbol(md.unitRef, "unit_ref", i))
                }
            }
            guard !ts.samples.isEmpty else { continue }
            switch RemoteWriteDecoder.labels(pairs) {
            case .success(let labels):
                out.series.append(SeriesSamples(labels: labels, samples: ts.samples.map { Sample(t: $0.timestamp, v: $0.value) }))
            case .failure(let why):
                out.invalid.append((RemoteWriteDecoder.describe(pairs), why, ts.samples.count))
            }
        }
        return out
    }

    enum LabelCheck {
        case success(Labels)
        case failure(String)
    }

    static func labels(_ pairs: [Label]) -> LabelCheck {
        for p in pairs where p.name.isEmpty { return .failure("empty label name (value \"\(p.value)\")") }
        do throws(LabelError) {
            let labels = try Labels(validating: pairs)
            try LabelValidation.checkSeries(labels)
            return .success(labels)
        } catch {
            return .failure(error.description)
        }
    }

    static func describe(_ pairs: [Label]) -> String {
        "{" + pairs.map(\.description).joined(separator: ", ") + "}"
    }

    /// Metric type names as Prometheus' metadata API spells them.
    static func typeName(_ raw: Int) -> String {
        switch raw {
        case 1: "counter"
        case 2: "gauge"
        case 3: "histogram"
        case 4: "gaugehistogram"
        case 5: "summary"
        case 6: "info"
        case 7: "stateset"
        default: "unknown"
        }
    }
}
