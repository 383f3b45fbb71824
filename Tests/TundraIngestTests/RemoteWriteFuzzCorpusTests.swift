import Foundation
import Testing
import TundraTestSupport
import TundraFuzz
import TundraModel

@testable import TundraIngest

/// Replays the committed remote-write corpus (`Fixtures/remote-write-corpus`, also the
/// seed corpus of `scripts/fuzz remote-write`) through ``RemoteWriteFuzz/run(_:)``, which
/// traps on any broken invariant, and checks each file's intended reading.
@Suite struct RemoteWriteFuzzCorpusTests {
    enum Want {
        /// Decodes, with this many samples accepted.
        case samples(Int)
        /// Throws, with this text in the error.
        case error(String)
    }

    /// How each committed file is meant to be read (version, compressed or raw) and what
    /// that gives. Files added later (e.g. crash reproducers from `scripts/fuzz`) need no
    /// entry: they must only run and agree with the plain decodes.
    static let expected: [String: (RemoteWriteVersion, compressed: Bool, Want)] = [
        "empty": (.v1, false, .samples(0)),
        "v1-basic": (.v1, false, .samples(3)),
        "v1-basic.snappy": (.v1, true, .samples(3)),
        "v1-invalid-series": (.v1, false, .samples(2)),
        "v2-basic": (.v2, false, .samples(2)),
        "v2-basic.snappy": (.v2, true, .samples(2)),
        "v2-symbol-out-of-range": (.v2, false, .error("timeseries[1]: a label value refers to symbol 99")),
        "v2-odd-labels-refs": (.v2, false, .error("timeseries[1]: labels_refs has 3 entries")),
        "v2-help-ref-out-of-range": (.v2, false, .error("timeseries[0]: help_ref refers to symbol 1000")),
        "huge-length-top": (.v1, false, .error("not a valid prometheus.WriteRequest")),
        "huge-length-nested": (.v1, false, .error("not a valid prometheus.WriteRequest")),
        "huge-length-string": (.v1, false, .error("not a valid prometheus.WriteRequest")),
        "huge-length-packed-refs": (.v2, false, .error("not a valid io.prometheus.write.v2.Request")),
        "overlong-varint": (.v1, false, .error("not a valid prometheus.WriteRequest")),
        "snappy-4gb-header": (.v1, true, .error("would be 4294967295 bytes")),
        "snappy-zero-length-trailing": (.v1, true, .error("not valid snappy")),
        "snappy-short-literal": (.v2, true, .error("not valid snappy")),
        "v1-invalid-utf8-label": (.v1, false, .error("not a valid prometheus.WriteRequest")),
        "v2-invalid-utf8-symbol": (.v2, false, .error("not a valid io.prometheus.write.v2.Request")),
        "deep-groups": (.v1, false, .error("not a valid prometheus.WriteRequest")),
        "shallow-groups": (.v2, false, .samples(0)),
        "many-empty-series": (.v1, false, .samples(0)),
        // Found by the fuzzer: metadata on a series whose __name__ is "" went in under "".
        "v2-metadata-empty-metric-name": (.v2, false, .samples(0)),
    ]

    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try FixtureCorpus.load(dir.appendingPathComponent("remote-write-corpus"))
    }

    @Test func corpusHoldsEveryExpectedFile() throws {
        let names = Set(try Self.corpus().map(\.name))
        #expect(names.isSuperset(of: Self.expected.keys), "missing: \(Set(Self.expected.keys).subtracting(names))")
    }

    @Test func corpusReplaysThroughRemoteWriteFuzz() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count >= Self.expected.count)
        for (name, bytes) in corpus {
            #expect(RemoteWriteFuzz.run(bytes) == RWCheck.expectedRun(bytes), "\(name)")
        }
    }

    @Test func corpusFilesDecodeAsIntended() throws {
        let decoder = RemoteWriteDecoder()
        for (name, bytes) in try Self.corpus() {
            guard let entry = Self.expected[name] else { continue }
            let (version, compressed, want) = entry
            let result: Result<DecodedWrite, RemoteWriteDecodeError> = Result { () throws(RemoteWriteDecodeError) in
                compressed ? try decoder.decode(compressed: bytes, version: version) : try decoder.decode(raw: bytes, version: version)
            }
            switch (want, result) {
            case (.samples(let n), .success(let w)):
                #expect(w.sampleCount == n, "\(name)")
            case (.error(let text), .failure(let e)):
                #expect(e.description.contains(text), "\(name): \(e)")
            case (_, .success(let w)):
                Issue.record("\(name): decoded \(w.sampleCount) samples, want \(want)")
            case (_, .failure(let e)):
                Issue.record("\(name): \(e), want \(want)")
            }
        }
    }

    @Test func invalidSeriesFixtureReportsEachBadSeries() throws {
        let bytes = try #require(try Self.corpus().first { $0.name == "v1-invalid-series" }).bytes
        let w = try RemoteWriteDecoder().decode(raw: bytes, version: .v1)
        #expect(w.series.map { $0.labels.metricName } == ["ok"])
        #expect(w.invalid.map(\.samples) == [1, 2, 1, 1])
    }

    @Test func metadataOfAnEmptyMetricNameIsDropped() throws {
        let bytes = try #require(try Self.corpus().first { $0.name == "v2-metadata-empty-metric-name" }).bytes
        let w = try RemoteWriteDecoder().decode(raw: bytes, version: .v2)
        #expect(w.metadata.isEmpty, "\(w.metadata)")
        #expect(w.invalid.count == 1)
    }

    @Test func basicFixturesCarryMetadataHistogramsAndExemplars() throws {
        let corpus = try Self.corpus()
        let v1 = try #require(corpus.first { $0.name == "v1-basic" }).bytes
        let w1 = try RemoteWriteDecoder().decode(raw: v1, version: .v1)
        #expect(w1.metadata["http_requests_total"] == MetricMetadata(type: "counter", help: "Requests.", unit: ""))
        #expect(w1.histograms == 1 && w1.exemplars == 1)
        let v2 = try #require(corpus.first { $0.name == "v2-basic.snappy" }).bytes
        let w2 = try RemoteWriteDecoder().decode(compressed: v2, version: .v2)
        #expect(w2.metadata["http_requests_total"] == MetricMetadata(type: "counter", help: "Requests.", unit: "seconds"))
        #expect(w2.histograms == 1 && w2.exemplars == 1)
        #expect(w2.series.first?.samples.last?.v.bitPattern == 0x7ff0_0000_0000_0002)
    }
}
