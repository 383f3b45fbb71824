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

/// A head that lives across iterations: each iteration appends the next batch, so
/// timestamps keep rising as they would in production.
final class AppendState: @unchecked Sendable {
    // @unchecked: the benchmark runner calls setup, the iterations and teardown one
    // after another on one task.
    var head: Head?
    var next = 0
    var directory: String?
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(5),
        maxIterations: 2_000
    )
    let workload = Workload(series: 10_000)
    // Built before timing, so the figure is the head's cost alone: one iteration is
    // one 2,000-sample batch, and samples/s = 2,000 x throughput.
    let batches = (0..<2_100).map { workload.batch(round: $0) }

    let memory = AppendState()
    Benchmark("Head append 2000-sample batch, no WAL") { _ in
        guard let head = memory.head else { return }
        blackHole(try head.append(batches[memory.next % batches.count]))
        memory.next += 1
    } setup: {
        memory.head = try Head(directory: nil, logger: Logger(label: "bench"))
        memory.next = 0
    } teardown: {
        memory.head = nil
    }

    let logged = AppendState()
    Benchmark("Head append 2000-sample batch, WAL (fsync interval 1s)") { _ in
        guard let head = logged.head else { return }
        blackHole(try head.append(batches[logged.next % batches.count]))
        logged.next += 1
    } setup: {
        let dir = NSTemporaryDirectory() + "tundra-bench-\(UUID().uuidString)"
        logged.directory = dir
        logged.head = try Head(directory: dir, logger: Logger(label: "bench"))
        logged.next = 0
    } teardown: {
        try logged.head?.close()
        logged.head = nil
        if let dir = logged.directory { try? FileManager.default.removeItem(atPath: dir) }
    }

    let query = AppendState()
    Benchmark("Head select 1000 of 10000 series x 1h (regex on instance)") { benchmark in
        guard let head = query.head else { return }
        let matchers = [Matcher.equal("__name__", "node_cpu_seconds_total"), try Matcher(.regexMatch, "instance", "host-1[0-9]:9100")]
        for _ in benchmark.scaledIterations {
            blackHole(try head.select(matchers, mint: 0, maxt: .max))
        }
    } setup: {
        let head = try Head(directory: nil, logger: Logger(label: "bench"))
        for batch in batches.prefix(1_200) { _ = try head.append(batch) }
        query.head = head
    } teardown: {
        query.head = nil
    }
}
