import Benchmark
import BenchmarkSupport
import TundraEncoding
import TundraModel

/// Node-exporter-like series, pre-generated with a fixed seed so that adding or
/// removing a benchmark does not change the samples the others see.
enum Series {
    static let counter: [Sample] = {
        var rng = RandomSource(seed: 1)
        var t: Int64 = 1_700_000_000_000
        var v = 1_000_000.0
        return (0..<120).map { _ in
            t += 15_000 + Int64(rng.next() % 7) - 3
            v += Double(rng.next() % 5000) / 100
            return Sample(t: t, v: v)
        }
    }()

    static let gauge: [Sample] = {
        var rng = RandomSource(seed: 2)
        var t: Int64 = 1_700_000_000_000
        return (0..<120).map { _ in
            t += 15_000
            return Sample(t: t, v: Double(rng.next() % 10_000) / 100)
        }
    }()
}

func encode(_ samples: [Sample]) -> XORChunk {
    var app = XORAppender()
    for s in samples { app.append(t: s.t, v: s.v) }
    return app.chunk
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3)
    )

    // Each iteration encodes one 120-sample chunk; samples/s = 120 x throughput.
    Benchmark("XOR encode 120 samples (counter)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(encode(Series.counter)) }
    }

    Benchmark("XOR encode 120 samples (gauge)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(encode(Series.gauge)) }
    }

    let counterChunk = encode(Series.counter)
    Benchmark("XOR decode 120 samples (counter)") { benchmark in
        for _ in benchmark.scaledIterations {
            var it = counterChunk.iterator()
            var sum = 0.0
            while let s = try? it.next() { sum += s.v }
            blackHole(sum)
        }
    }

    let buffer = [UInt8](repeating: 0xA5, count: 4096)
    Benchmark("CRC32C 4 KiB") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(CRC32C.checksum(buffer)) }
    }
}
