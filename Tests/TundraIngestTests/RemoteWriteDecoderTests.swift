import SwiftProtobuf
import Testing
import TundraModel

@testable import TundraIngest

/// Decoding v1 and v2 bodies built with the generated messages and `Snappy.compress`.
@Suite struct RemoteWriteDecoderTests {
    let decoder = RemoteWriteDecoder()
    /// A stale marker, and a NaN with another payload: both must come through bit for bit.
    static let otherNaN = Double(bitPattern: 0x7ff8_0000_dead_beef)

    func decodeV1(_ req: Prometheus_WriteRequest) throws -> DecodedWrite {
        try decoder.decode(compressed: try RWBuild.compressed(req), version: .v1)
    }

    func decodeV2(_ req: Io_Prometheus_Write_V2_Request) throws -> DecodedWrite {
        try decoder.decode(compressed: try RWBuild.compressed(req), version: .v2)
    }

    // MARK: v1

    @Test func v1LabelsAndSamples() throws {
        let req = RWBuild.v1([
            TestSeries(
                labels: [("job", "api"), ("__name__", "http_requests_total"), ("code", "200")],
                samples: [Sample(t: 1000, v: 1.5), Sample(t: 2000, v: -3)]),
            TestSeries(labels: [("__name__", "up"), ("instance", "a:9100")], samples: [Sample(t: -5, v: 1)]),
        ])
        let w = try decodeV1(req)
        #expect(w.series.count == 2)
        #expect(w.invalid.isEmpty)
        #expect(w.sampleCount == 3)
        #expect(w.series[0].labels == Labels(["__name__": "http_requests_total", "job": "api", "code": "200"]))
        #expect(w.series[0].labels.map(\.name) == ["__name__", "code", "job"], "labels come sorted by name")
        #expect(w.series[0].samples == [Sample(t: 1000, v: 1.5), Sample(t: 2000, v: -3)])
        #expect(w.series[1].labels == Labels(["__name__": "up", "instance": "a:9100"]))
        #expect(w.series[1].samples == [Sample(t: -5, v: 1)])
    }

    @Test func v1EmptyLabelValuesAreDroppedAndSeriesWithoutSamplesSkipped() throws {
        let req = RWBuild.v1([
            TestSeries(labels: [("__name__", "m"), ("empty", "")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "no_samples")], samples: []),
            // Not even checked: without samples there is nothing to refuse.
            TestSeries(labels: [("bad-name", "x")], samples: []),
        ])
        let w = try decodeV1(req)
        #expect(w.series.map(\.labels) == [Labels(["__name__": "m"])])
        #expect(w.invalid.isEmpty)
    }

    @Test func v1StaleMarkerAndNaNPayloadsKeepTheirBits() throws {
        let values = [StaleNaN.value, Self.otherNaN, .nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude]
        let req = RWBuild.v1([
            TestSeries(labels: [("__name__", "m")], samples: values.enumerated().map { Sample(t: Int64($0.offset), v: $0.element) })
        ])
        let w = try decodeV1(req)
        let got = try #require(w.series.first).samples.map(\.v.bitPattern)
        #expect(got == values.map(\.bitPattern))
        #expect(StaleNaN.isStale(try #require(w.series.first?.samples.first).v))
    }

    @Test func v1Metadata() throws {
        let req = RWBuild.v1(
            [TestSeries(labels: [("__name__", "m")], samples: [Sample(t: 1, v: 1)])],
            metadata: [
                RWBuild.v1Metadata("http_requests_total", .counter, help: "Requests served.", unit: ""),
                RWBuild.v1Metadata("temperature", .gauge, help: "Room temperature.", unit: "celsius"),
                RWBuild.v1Metadata("latency", .histogram),
                RWBuild.v1Metadata("future", .UNRECOGNIZED(42), help: "A type from the future."),
                RWBuild.v1Metadata("", .counter, help: "no family name: skipped"),
                RWBuild.v1Metadata("info_metric", .info),
            ])
        let w = try decodeV1(req)
        #expect(w.metadata.count == 5)
        #expect(w.metadata["http_requests_total"] == MetricMetadata(type: "counter", help: "Requests served.", unit: ""))
        #expect(w.metadata["temperature"] == MetricMetadata(type: "gauge", help: "Room temperature.", unit: "celsius"))
        #expect(w.metadata["latency"] == MetricMetadata(type: "histogram", help: "", unit: ""))
        #expect(w.metadata["future"] == MetricMetadata(type: "unknown", help: "A type from the future.", unit: ""))
        #expect(w.metadata["info_metric"]?.type == "info")
        #expect(w.metadata[""] == nil)
    }

    @Test func v1MetadataOnlyRequest() throws {
        let req = RWBuild.v1([], metadata: [RWBuild.v1Metadata("up", .gauge, help: "Target up.")])
        let w = try decodeV1(req)
        #expect(w.series.isEmpty)
        #expect(w.sampleCount == 0)
        #expect(w.metadata["up"]?.help == "Target up.")
    }

    @Test func v1HistogramsAndExemplarsAreCounted() throws {
        let req = RWBuild.v1([
            TestSeries(labels: [("__name__", "a")], samples: [Sample(t: 1, v: 1)], exemplars: 2, histograms: 0),
            // Histogram-only series: counted, no float series.
            TestSeries(labels: [("__name__", "h")], samples: [], exemplars: 1, histograms: 3),
            TestSeries(labels: [("__name__", "b")], samples: [Sample(t: 1, v: 2)], exemplars: 0, histograms: 1),
        ])
        let w = try decodeV1(req)
        #expect(w.histograms == 4)
        #expect(w.exemplars == 3)
        #expect(w.series.map { $0.labels.metricName } == ["a", "b"])
    }

    @Test func v1InvalidSeriesAreReportedAndGoodOnesKept() throws {
        let req = RWBuild.v1([
            TestSeries(labels: [("__name__", "good_one")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("", "x"), ("__name__", "a")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "b"), ("bad-name", "1")], samples: [Sample(t: 1, v: 1), Sample(t: 2, v: 2)]),
            TestSeries(labels: [("__name__", "c"), ("dup", "1"), ("dup", "2")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("job", "x")], samples: [Sample(t: 1, v: 1), Sample(t: 2, v: 1), Sample(t: 3, v: 1)]),
            TestSeries(labels: [("__name__", "1starts_with_digit")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "good_two"), ("le", "0.5")], samples: [Sample(t: 1, v: 1)]),
        ])
        let w = try decodeV1(req)
        #expect(w.series.map { $0.labels.metricName } == ["good_one", "good_two"])
        #expect(w.sampleCount == 2)
        try #require(w.invalid.count == 5)
        #expect(w.invalid[0].reason.contains("empty label name"))
        #expect(w.invalid[1].reason.contains("invalid label name \"bad-name\""))
        #expect(w.invalid[2].reason.contains("duplicate label name \"dup\""))
        #expect(w.invalid[3].reason.contains("no metric name"))
        #expect(w.invalid[4].reason.contains("invalid metric name"))
        #expect(w.invalid.map(\.samples) == [1, 2, 1, 3, 1])
        #expect(w.invalid[1].labels.contains("bad-name"), "the refused series is named in the report")
    }

    @Test func v1ManySeriesAndSamplesRoundTrip() throws {
        let series = (0..<200).map { i in
            TestSeries(
                labels: [("__name__", "m\(i % 7)"), ("i", "\(i)")],
                samples: (0..<Int64(i % 5 + 1)).map { Sample(t: $0 * 15_000, v: Double(i) + Double($0) / 10) })
        }
        let w = try decodeV1(RWBuild.v1(series))
        #expect(w.series.count == 200)
        #expect(w.sampleCount == series.reduce(0) { $0 + $1.samples.count })
        for (i, s) in w.series.enumerated() {
            #expect(s.labels["i"] == "\(i)")
            #expect(s.samples == series[i].samples)
        }
    }

    // MARK: v2

    @Test func v2LabelsSamplesAndStaleMarkers() throws {
        let req = RWBuild.v2([
            TestSeries(
                labels: [("__name__", "http_requests_total"), ("job", "api"), ("code", "200")],
                samples: [Sample(t: 1000, v: 2.5), Sample(t: 2000, v: StaleNaN.value), Sample(t: 3000, v: Self.otherNaN)]),
            TestSeries(labels: [("__name__", "up"), ("job", "api")], samples: [Sample(t: 1000, v: 1)]),
        ])
        #expect(req.symbols.first == "")
        let w = try decodeV2(req)
        #expect(w.series.count == 2)
        #expect(w.sampleCount == 4)
        #expect(w.series[0].labels == Labels(["__name__": "http_requests_total", "job": "api", "code": "200"]))
        #expect(w.series[0].samples.map(\.v.bitPattern) == [Double(2.5).bitPattern, StaleNaN.bits, Self.otherNaN.bitPattern])
        #expect(w.series[0].samples.map(\.t) == [1000, 2000, 3000])
        #expect(w.series[1].labels == Labels(["__name__": "up", "job": "api"]))
    }

    @Test func v2PerSeriesMetadataWithHelpAndUnitRefs() throws {
        var table = RWBuild.Symbols()
        var a = RWBuild.v2Series(TestSeries(labels: [("__name__", "temperature")], samples: [Sample(t: 1, v: 20)]), &table)
        var md = Io_Prometheus_Write_V2_Metadata()
        md.type = .gauge
        md.helpRef = table.ref("Room temperature.")
        md.unitRef = table.ref("celsius")
        a.metadata = md
        // Metadata on a series without samples still counts.
        var b = RWBuild.v2Series(TestSeries(labels: [("__name__", "requests_total")], samples: []), &table)
        var mdB = Io_Prometheus_Write_V2_Metadata()
        mdB.type = .counter
        b.metadata = mdB
        // All-zero metadata says nothing and is left out.
        var c = RWBuild.v2Series(TestSeries(labels: [("__name__", "nothing")], samples: [Sample(t: 1, v: 1)]), &table)
        c.metadata = Io_Prometheus_Write_V2_Metadata()
        // A type from a later version of the spec.
        var d = RWBuild.v2Series(TestSeries(labels: [("__name__", "future")], samples: [Sample(t: 1, v: 1)]), &table)
        var mdD = Io_Prometheus_Write_V2_Metadata()
        mdD.type = .UNRECOGNIZED(99)
        mdD.helpRef = table.ref("From the future.")
        d.metadata = mdD
        var req = Io_Prometheus_Write_V2_Request()
        req.timeseries = [a, b, c, d]
        req.symbols = table.symbols

        let w = try decodeV2(req)
        #expect(w.metadata.count == 3)
        #expect(w.metadata["temperature"] == MetricMetadata(type: "gauge", help: "Room temperature.", unit: "celsius"))
        #expect(w.metadata["requests_total"] == MetricMetadata(type: "counter", help: "", unit: ""))
        #expect(w.metadata["nothing"] == nil)
        #expect(w.metadata["future"] == MetricMetadata(type: "unknown", help: "From the future.", unit: ""))
        #expect(w.series.map { $0.labels.metricName } == ["temperature", "nothing", "future"])
    }

    @Test func v2MetadataNeedsANonEmptyMetricName() throws {
        var table = RWBuild.Symbols()
        var md = Io_Prometheus_Write_V2_Metadata()
        md.type = .gauge
        md.helpRef = table.ref("Help of no family.")
        var a = RWBuild.v2Series(TestSeries(labels: [("__name__", ""), ("job", "x")], samples: [Sample(t: 1, v: 1)]), &table)
        a.metadata = md
        var b = RWBuild.v2Series(TestSeries(labels: [("job", "y")], samples: [Sample(t: 1, v: 1)]), &table)
        b.metadata = md
        var req = Io_Prometheus_Write_V2_Request()
        req.timeseries = [a, b]
        req.symbols = table.symbols
        let w = try decodeV2(req)
        #expect(w.metadata.isEmpty, "\(w.metadata)")
        #expect(w.invalid.count == 2)
        #expect(w.invalid.allSatisfy { $0.reason.contains("no metric name") })
    }

    @Test func v2HistogramsAndExemplarsAreCounted() throws {
        let req = RWBuild.v2([
            TestSeries(labels: [("__name__", "a")], samples: [Sample(t: 1, v: 1)], exemplars: 3, histograms: 1),
            TestSeries(labels: [("__name__", "h")], samples: [], exemplars: 0, histograms: 2),
        ])
        let w = try decodeV2(req)
        #expect(w.histograms == 3)
        #expect(w.exemplars == 3)
        #expect(w.series.count == 1)
    }

    @Test func v2InvalidSeriesAreReportedAndGoodOnesKept() throws {
        let req = RWBuild.v2([
            TestSeries(labels: [("", "x"), ("__name__", "a")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "good")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "b"), ("bad name", "1")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "c"), ("x", "1"), ("x", "2")], samples: [Sample(t: 1, v: 1), Sample(t: 2, v: 1)]),
            TestSeries(labels: [("instance", "a")], samples: [Sample(t: 1, v: 1)]),
        ])
        let w = try decodeV2(req)
        #expect(w.series.map { $0.labels.metricName } == ["good"])
        try #require(w.invalid.count == 4)
        #expect(w.invalid[0].reason.contains("empty label name"))
        #expect(w.invalid[1].reason.contains("invalid label name"))
        #expect(w.invalid[2].reason.contains("duplicate label name \"x\""))
        #expect(w.invalid[3].reason.contains("no metric name"))
        #expect(w.invalid.map(\.samples) == [1, 1, 2, 1])
    }

    @Test func v2SymbolRefOutOfRangeNamesTheSeries() throws {
        var req = RWBuild.v2([
            TestSeries(labels: [("__name__", "a")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "b")], samples: [Sample(t: 1, v: 1)]),
        ])
        req.timeseries[1].labelsRefs[1] = UInt32(req.symbols.count)
        let body = try RWBuild.compressed(req)
        let error = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(compressed: body, version: .v2) }
        #expect(error?.description.hasPrefix("timeseries[1]:") == true, "\(String(describing: error))")
        #expect(error?.description.contains("refers to symbol \(req.symbols.count)") == true)

        // The largest ref, too.
        req.timeseries[1].labelsRefs[1] = UInt32.max
        let error2 = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(raw: try RWBuild.raw(req), version: .v2) }
        #expect(error2?.description.contains("timeseries[1]") == true)
        #expect(error2?.description.contains("\(UInt32.max)") == true)
    }

    @Test func v2HelpOrUnitRefOutOfRangeNamesTheSeries() throws {
        var req = RWBuild.v2([
            TestSeries(labels: [("__name__", "a")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "b")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "c")], samples: [Sample(t: 1, v: 1)]),
        ])
        var md = Io_Prometheus_Write_V2_Metadata()
        md.type = .counter
        md.unitRef = 500
        req.timeseries[2].metadata = md
        let error = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(raw: try RWBuild.raw(req), version: .v2) }
        #expect(error?.description.hasPrefix("timeseries[2]:") == true, "\(String(describing: error))")
        #expect(error?.description.contains("unit_ref") == true)
    }

    @Test func v2OddLabelsRefsCountNamesTheSeries() throws {
        var req = RWBuild.v2([
            TestSeries(labels: [("__name__", "a")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "b")], samples: [Sample(t: 1, v: 1)]),
            TestSeries(labels: [("__name__", "c"), ("job", "x")], samples: [Sample(t: 1, v: 1)]),
        ])
        req.timeseries[2].labelsRefs.removeLast()
        let body = try RWBuild.compressed(req)
        let error = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(compressed: body, version: .v2) }
        #expect(error?.description.hasPrefix("timeseries[2]:") == true, "\(String(describing: error))")
        #expect(error?.description.contains("labels_refs has 3 entries") == true)
    }

    @Test func v2EmptySymbolTableWithoutSeriesDecodes() throws {
        let w = try decoder.decode(compressed: try RWBuild.compressed(Io_Prometheus_Write_V2_Request()), version: .v2)
        #expect(w.series.isEmpty && w.invalid.isEmpty && w.metadata.isEmpty)
        #expect(w.sampleCount == 0)
    }

    // MARK: bodies that are not messages

    @Test func emptyBodyIsAnEmptyRequestForBothVersions() throws {
        for version in [RemoteWriteVersion.v1, .v2] {
            let w = try decoder.decode(compressed: Snappy.compress([]), version: version)
            #expect(w.series.isEmpty && w.sampleCount == 0, "\(version)")
        }
    }

    @Test func garbageIsADecodeErrorNamingTheMessage() throws {
        let garbage: [UInt8] = [0xff, 0xff, 0xff, 0xff]
        let e1 = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(compressed: Snappy.compress(garbage), version: .v1) }
        #expect(e1?.description.contains("prometheus.WriteRequest") == true)
        let e2 = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(raw: garbage, version: .v2) }
        #expect(e2?.description.contains("io.prometheus.write.v2.Request") == true)
    }

    @Test func bodyThatIsNotSnappyIsADecodeError() throws {
        let raw = try RWBuild.raw(RWBuild.v1([TestSeries(labels: [("__name__", "m")], samples: [Sample(t: 1, v: 1)])]))
        let error = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(compressed: raw, version: .v1) }
        #expect(error?.description == Snappy.Failure.invalid.description)
    }

    @Test func decompressedSizeLimitApplies() throws {
        let body = try RWBuild.compressed(
            RWBuild.v1([
                TestSeries(labels: [("__name__", "m"), ("pad", String(repeating: "x", count: 5000))], samples: [Sample(t: 1, v: 1)])
            ]))
        let size = try Snappy.decompress(body, limit: .max).count
        let tight = RemoteWriteDecoder(maxDecompressedBytes: size - 1)
        let error = #expect(throws: RemoteWriteDecodeError.self) { try tight.decode(compressed: body, version: .v1) }
        #expect(error?.description.contains("the limit is \(size - 1)") == true)
        #expect(try RemoteWriteDecoder(maxDecompressedBytes: size).decode(compressed: body, version: .v1).sampleCount == 1)
    }

    @Test func v1BodyReadAsV2DoesNotInventSeries() throws {
        // v1's fields 1 and 3 are reserved in v2: skipped as unknown, never misread.
        let body = try RWBuild.compressed(RWBuild.v1([TestSeries(labels: [("__name__", "m")], samples: [Sample(t: 1, v: 1)])]))
        let w = try decoder.decode(compressed: body, version: .v2)
        #expect(w.series.isEmpty)
        #expect(w.invalid.isEmpty)
    }
}
