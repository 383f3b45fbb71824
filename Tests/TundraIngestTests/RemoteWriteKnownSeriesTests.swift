import Logging
import Testing
import TundraHead
import TundraModel

@testable import TundraIngest

/// The remote-write 1.0 fast path: series the head holds are found by the hash of
/// their label bytes in the request and appended without building labels.
@Suite struct RemoteWriteKnownSeriesTests {
    let decoder = RemoteWriteDecoder()
    let logger = Logger(label: "test")

    func decode(_ series: [TestSeries], head: Head) throws -> DecodedWrite {
        try decoder.decode(compressed: try RWBuild.compressed(RWBuild.v1(series)), version: .v1, head: head)
    }

    func stored(_ head: Head) throws -> [Labels: [Sample]] {
        let all = try head.select([try Matcher(.regexMatch, "__name__", ".+")], mint: .min, maxt: .max)
        return Dictionary(uniqueKeysWithValues: all.map { ($0.labels, $0.samples) })
    }

    @Test func byteHashEqualsLabelsHash() {
        let cases: [Labels] = [
            Labels(["__name__": "up"]),
            Labels(["__name__": "node_cpu_seconds_total", "cpu": "0", "mode": "idle", "instance": "host-0001:9100"]),
            Labels(["__name__": "x", "path": String(repeating: "a/b", count: 50), "unicode": "tempér☃ture"]),
            Labels(["__name__": "eight888", "b": "12345678", "c": "1234567"]),
        ]
        for labels in cases {
            var h = LabelsHash.seed
            for pair in labels {
                Array(pair.name.utf8).withUnsafeBytes { LabelsHash.add(bytes: $0, to: &h) }
                Array(pair.value.utf8).withUnsafeBytes { LabelsHash.add(bytes: $0, to: &h) }
            }
            #expect(LabelsHash.finish(h) == labels.stableHash, "\(labels)")
        }
    }

    @Test func knownSeriesSkipTheLabelPathAndLandInTheSameSeries() throws {
        let head = try Head(directory: nil, logger: logger)
        let a = [("__name__", "cpu"), ("instance", "h1"), ("mode", "idle")]
        let b = [("__name__", "cpu"), ("instance", "h2"), ("mode", "idle")]
        let first = try decode([TestSeries(labels: a, samples: [Sample(t: 1000, v: 1)])], head: head)
        #expect(first.known.isEmpty, "an empty head knows no series")
        #expect(first.series.count == 1)
        #expect(try head.append(first.series, known: first.known).appended == 1)

        let second = try decode(
            [
                TestSeries(labels: a, samples: [Sample(t: 2000, v: 2), Sample(t: 3000, v: 3)]),
                TestSeries(labels: b, samples: [Sample(t: 2000, v: 5)]),
            ], head: head)
        #expect(second.known.seriesCount == 1)
        #expect(second.known.sampleCount == 2)
        #expect(second.series.map(\.labels) == [Labels(["__name__": "cpu", "instance": "h2", "mode": "idle"])])
        #expect(second.sampleCount == 3)
        #expect(try head.append(second.series, known: second.known).appended == 3)

        let data = try stored(head)
        #expect(data.count == 2)
        #expect(data[Labels(["__name__": "cpu", "instance": "h1", "mode": "idle"])] == [
            Sample(t: 1000, v: 1), Sample(t: 2000, v: 2), Sample(t: 3000, v: 3),
        ])
        #expect(data[Labels(["__name__": "cpu", "instance": "h2", "mode": "idle"])] == [Sample(t: 2000, v: 5)])
    }

    @Test func labelsOutOfOrderOrWithEmptyValuesTakeTheLabelPathToTheSameSeries() throws {
        let head = try Head(directory: nil, logger: logger)
        let sorted = [("__name__", "m"), ("a", "1"), ("b", "2")]
        let w = try decode([TestSeries(labels: sorted, samples: [Sample(t: 1, v: 1)])], head: head)
        _ = try head.append(w.series, known: w.known)

        let odd = try decode(
            [
                TestSeries(labels: [("b", "2"), ("__name__", "m"), ("a", "1")], samples: [Sample(t: 2, v: 2)]),
                TestSeries(labels: sorted + [("c", "")], samples: [Sample(t: 3, v: 3)]),
                // Same bytes as a stored series but one label short: a different series.
                TestSeries(labels: Array(sorted.prefix(2)), samples: [Sample(t: 4, v: 4)]),
            ], head: head)
        #expect(odd.known.isEmpty)
        #expect(odd.series.count == 3)
        _ = try head.append(odd.series, known: odd.known)
        let data = try stored(head)
        #expect(data[Labels(["__name__": "m", "a": "1", "b": "2"])] == [Sample(t: 1, v: 1), Sample(t: 2, v: 2), Sample(t: 3, v: 3)])
        #expect(data[Labels(["__name__": "m", "a": "1"])] == [Sample(t: 4, v: 4)])
    }

    @Test func aKnownSeriesRemovedBeforeTheAppendIsCreatedAgain() throws {
        let head = try Head(directory: nil, logger: logger)
        let labels = [("__name__", "gone"), ("job", "x")]
        let w = try decode([TestSeries(labels: labels, samples: [Sample(t: 1000, v: 1)])], head: head)
        _ = try head.append(w.series, known: w.known)

        let again = try decode([TestSeries(labels: labels, samples: [Sample(t: 5000, v: 2)])], head: head)
        #expect(again.known.seriesCount == 1)
        // Truncation empties and removes the series between decoding and appending.
        let stats = try head.truncate(before: 2000)
        #expect(stats.seriesRemoved == 1)
        let result = try head.append(again.series, known: again.known)
        #expect(result.appended == 1)
        #expect(try stored(head)[Labels(["__name__": "gone", "job": "x"])] == [Sample(t: 5000, v: 2)])
        #expect(head.series([try Matcher(.equal, "__name__", "gone")]).count == 1)
    }

    @Test func rejectionsOnTheFastPathNameTheSeries() throws {
        let head = try Head(directory: nil, logger: logger)
        let labels = [("__name__", "dup"), ("job", "x")]
        let w = try decode([TestSeries(labels: labels, samples: [Sample(t: 1000, v: 1)])], head: head)
        _ = try head.append(w.series, known: w.known)
        let conflict = try decode([TestSeries(labels: labels, samples: [Sample(t: 1000, v: 7)])], head: head)
        #expect(conflict.known.seriesCount == 1)
        let result = try head.append(conflict.series, known: conflict.known)
        #expect(result.appended == 0)
        #expect(result.rejections.map(\.labels) == [Labels(["__name__": "dup", "job": "x"])])
    }

    @Test func invalidUTF8InASeriesWithoutSamplesStillFailsTheBody() throws {
        let head = try Head(directory: nil, logger: logger)
        var req = RWBuild.v1([TestSeries(labels: [("__name__", "ok")], samples: [])])
        req.timeseries[0].labels[0].value = "ok"
        var raw = try RWBuild.raw(req)
        // Replace "ok" with two bytes that are not UTF-8.
        if let i = raw.firstIndex(of: UInt8(ascii: "o")), raw[i + 1] == UInt8(ascii: "k") {
            raw[i] = 0xC3
            raw[i + 1] = 0x28
        }
        #expect(throws: RemoteWriteDecodeError.self) {
            try decoder.decode(raw: raw, version: .v1, head: head)
        }
    }
}
