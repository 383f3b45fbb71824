import Benchmark
import Foundation
import Logging
import TundraHead
import TundraModel

/// A batch the size remote-write senders use (2,000 samples: 200 series x 10),
/// over a fixed set of 10,000 series, appended round after round with rising time.
struct Workload {
    let labels: [Labels]

    init(series: Int) {
        labels = (0..<series).map { i in
            Labels([
                "__name__": "node_cpu_seconds_total", "instance": "host-\(i / 100):9100", "job": "node",
                "cpu": "\(i % 4)", "mode": "m\(i % 100 / 4)",
            ])
        }
    }

    func batch(round: Int, seriesPerBatch: Int = 200, samplesPerSeries: Int = 10) -> [SeriesSamples] {
        let first = (round * seriesPerBatch) % labels.count
        let t0 = Int64(1_700_000_000_000) + Int64(round / (labels.count / seriesPerBatch)) * Int64(samplesPerSeries) * 15_000
        return (0..<seriesPerBatch).map { k in
            let i = (first + k) % labels.count
            let samples = (0..<samplesPerSeries).map { j in
                Sample(t: t0 + Int64(j) * 15_000, v: Double(round * 10 + j) * 1.25 + Double(i))
            }
            return SeriesSamples(labels: labels[i], samples: samples)
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(5)
    )
    let workload = Workload(series: 10_000)

    // One iteration = one 2,000-sample batch; samples/s = 2,000 x throughput.
    Benchmark("Head append 2000-sample batch, no WAL") { benchmark in
        let head = try Head(directory: nil, logger: Logger(label: "bench"))
        benchmark.startMeasurement()
        for round in benchmark.scaledIterations {
            blackHole(try head.append(workload.batch(round: round)))
        }
    }

    Benchmark("Head append 2000-sample batch, WAL (fsync interval 1s)") { benchmark in
        let dir = NSTemporaryDirectory() + "tundra-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = try Head(directory: dir, logger: Logger(label: "bench"))
        benchmark.startMeasurement()
        for round in benchmark.scaledIterations {
            blackHole(try head.append(workload.batch(round: round)))
        }
        benchmark.stopMeasurement()
        try head.close()
    }

    Benchmark("Head select one metric, 2000 series x 1h") { benchmark in
        let head = try Head(directory: nil, logger: Logger(label: "bench"))
        for round in 0..<(240 * 10_000 / 2_000 / 10) { _ = try head.append(workload.batch(round: round)) }
        let matchers = [Matcher.equal("__name__", "node_cpu_seconds_total"), try Matcher(.regexMatch, "instance", "host-1[0-9]:9100")]
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try head.select(matchers, mint: 0, maxt: .max))
        }
    }
}
