import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

@Suite struct LimitsTests {
    @Test func seriesPerMetricLimit() throws {
        let head = try Head(
            directory: nil, options: testOptions { $0.limits = CardinalityLimits(maxSeriesPerMetric: 3) }, logger: testLogger)
        for i in 0..<3 {
            #expect(try head.append([entry(series("m", ["i": "\(i)"]), [(1000, 1)])]).appended == 1)
        }
        let fourth = series("m", ["i": "3"])
        let r = try head.append([
            entry(fourth, [(1000, 1), (2000, 2)]),
            // Existing series still take samples, and other metrics are not limited.
            entry(series("m", ["i": "0"]), [(2000, 2)]),
            entry(series("other", ["i": "3"]), [(1000, 1)]),
        ])
        #expect(r.appended == 2)
        #expect(r.rejectedSamples == 2)
        #expect(r.rejections == [Rejection(labels: fourth, timestamp: nil, reason: .seriesLimit(metric: "m", limit: 3))])
        let firstRejection = try #require(r.rejections.first)
        let text = firstRejection.description
        #expect(text.contains("\"m\""))
        #expect(text.contains("3"))
        #expect(firstRejection.reason.kind == "series_limit")
        #expect(head.stats.rejected["series_limit"] == 2)
        #expect(head.series([.equal("__name__", "m")]).count == 3)
        #expect(head.labelValues("i", [.equal("__name__", "m")]) == ["0", "1", "2"])
        #expect(try dump(head)[series("m", ["i": "0"])] == [Sample(t: 1000, v: 1), Sample(t: 2000, v: 2)])
        #expect(head.stats.series == 4)
    }

    @Test func seriesLimitCountsAcrossOneBatch() throws {
        let head = try Head(
            directory: nil, options: testOptions { $0.limits = CardinalityLimits(maxSeriesPerMetric: 3) }, logger: testLogger)
        #expect(try head.append([entry(series("m", ["i": "a"]), [(1, 1)])]).appended == 1)
        let batch = (0..<5).map { entry(series("m", ["i": "\($0)"]), [(1, 1)]) }
            // The same new series twice counts once.
            + [entry(series("m", ["i": "0"]), [(2, 2)])]
        let r = try head.append(batch)
        #expect(r.appended == 3)
        #expect(r.rejections.map(\.labels) == [series("m", ["i": "2"]), series("m", ["i": "3"]), series("m", ["i": "4"])])
        #expect(r.rejections.allSatisfy { $0.reason == .seriesLimit(metric: "m", limit: 3) })
        #expect(head.series([]).count == 3)
        #expect(try dump(head)[series("m", ["i": "0"])] == [Sample(t: 1, v: 1), Sample(t: 2, v: 2)])
    }

    @Test func labelValuesPerNameLimit() throws {
        let head = try Head(
            directory: nil, options: testOptions { $0.limits = CardinalityLimits(maxLabelValuesPerName: 2) }, logger: testLogger)
        #expect(try head.append([entry(series("a", ["pod": "p1"]), [(1, 1)]), entry(series("b", ["pod": "p2"]), [(1, 1)])]).appended == 2)
        let bad = series("a", ["pod": "p3"])
        let r = try head.append([
            entry(bad, [(1, 1)]),
            // Known values are fine in new series, and the metric name is not limited.
            entry(series("c", ["pod": "p1"]), [(1, 1)]),
            entry(series("d", ["pod": "p2", "zone": "z"]), [(1, 1)]),
            // Existing series keep taking samples.
            entry(series("a", ["pod": "p1"]), [(2, 2)]),
        ])
        #expect(r.appended == 3)
        #expect(r.rejections == [Rejection(labels: bad, timestamp: nil, reason: .labelValueLimit(label: "pod", limit: 2))])
        let firstRejection = try #require(r.rejections.first)
        #expect(firstRejection.description.contains("\"pod\""))
        #expect(firstRejection.description.contains("2"))
        #expect(firstRejection.reason.kind == "label_value_limit")
        #expect(head.stats.rejected["label_value_limit"] == 1)
        #expect(head.labelValues("pod") == ["p1", "p2"])
        #expect(head.labelValues("__name__") == ["a", "b", "c", "d"])
        #expect(head.series([.equal("pod", "p3")]).isEmpty)
    }

    @Test func labelValueLimitCountsAcrossOneBatch() throws {
        let head = try Head(
            directory: nil, options: testOptions { $0.limits = CardinalityLimits(maxLabelValuesPerName: 3) }, logger: testLogger)
        let batch = [
            entry(series("a", ["pod": "p1"]), [(1, 1)]),
            entry(series("b", ["pod": "p2"]), [(1, 1)]),
            entry(series("c", ["pod": "p2"]), [(1, 1)]),  // p2 again: no new value
            entry(series("d", ["pod": "p3"]), [(1, 1)]),
            entry(series("e", ["pod": "p4"]), [(1, 1)]),  // the fourth value
            entry(series("f", ["pod": "p1", "x": "1"]), [(1, 1)]),
        ]
        let r = try head.append(batch)
        #expect(r.appended == 5)
        #expect(r.rejections == [Rejection(labels: series("e", ["pod": "p4"]), timestamp: nil, reason: .labelValueLimit(label: "pod", limit: 3))])
        #expect(head.labelValues("pod") == ["p1", "p2", "p3"])
    }

    @Test func removedSeriesFreeTheirPlace() throws {
        let head = try Head(
            directory: nil, options: testOptions { $0.limits = CardinalityLimits(maxSeriesPerMetric: 1, maxLabelValuesPerName: 1) },
            logger: testLogger)
        #expect(try head.append([entry(series("m", ["pod": "old"]), [(1000, 1)])]).appended == 1)
        #expect(try head.append([entry(series("m", ["pod": "new"]), [(5000, 1)])]).appended == 0)
        _ = try head.truncate(before: 2000)
        #expect(head.series([]).isEmpty)
        #expect(try head.append([entry(series("m", ["pod": "new"]), [(5000, 1)])]).appended == 1)
        #expect(head.labelValues("pod") == ["new"])
    }

    @Test func invalidLabelsAreRejectedWithoutLosingGoodSeries() throws {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let noName = Labels(["job": "x"])
        let badName = series("1bad")
        let dashed = series("with-dash")
        let good = series("job:rate5m", ["job": "x"])
        let r = try head.append([
            entry(noName, [(1, 1), (2, 2)]),
            entry(good, [(1, 1)]),
            entry(badName, [(1, 1)]),
            entry(dashed, [(1, 1)]),
            entry(series("good2"), [(1, 1)]),
        ])
        #expect(r.appended == 2)
        #expect(r.rejectedSamples == 4)
        #expect(
            r.rejections == [
                Rejection(labels: noName, timestamp: nil, reason: .invalidLabels(.missingMetricName)),
                Rejection(labels: badName, timestamp: nil, reason: .invalidLabels(.invalidMetricName("1bad"))),
                Rejection(labels: dashed, timestamp: nil, reason: .invalidLabels(.invalidMetricName("with-dash"))),
            ])
        let secondRejection = try #require(r.rejections.dropFirst(1).first)
        #expect(secondRejection.description.contains("1bad"))
        let firstRejection = try #require(r.rejections.first)
        #expect(firstRejection.reason.kind == "invalid_labels")
        #expect(head.stats.rejected["invalid_labels"] == 4)
        #expect(head.series([]) == [series("good2"), good])
        #expect(head.labelValues("__name__") == ["good2", "job:rate5m"])
        #expect(head.stats.series == 2)
    }
}
