import Foundation
import TundraBlock
import TundraEncoding
import TundraModel
import TundraTestSupport

/// A series as the tests generate it: labels, the samples, and the chunks cut from them.
struct GeneratedSeries {
    var labels: Labels
    var samples: [Sample]
    var chunks: [SeriesChunk]
}

extension SeededRandom {
    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(in: 0...items.count - 1)] }
}

enum BlockFixtures {
    static let hour: Int64 = 3_600_000
    static let blockMinTime: Int64 = 1_700_000_000_000 / (2 * hour) * (2 * hour)
    static let blockMaxTime: Int64 = blockMinTime + 2 * hour

    static let names = ["http_requests_total", "node_cpu_seconds_total", "process_resident_memory_bytes", "up"]
    static let jobs = ["api", "node", "db", "zürich"]

    /// `count` distinct series with between a few and `maxSamples` samples each, all
    /// in [minTime, maxTime). Values mix counters, gauges, NaN and stale markers.
    /// `unicodeOrder` adds a pair of values that are canonically equivalent but
    /// differ in bytes ("é" composed and decomposed).
    static func series(
        count: Int, seed: UInt64, maxSamples: Int = 400, minTime: Int64 = blockMinTime, maxTime: Int64 = blockMaxTime,
        samplesPerChunk: Int = 120, unicodeOrder: Bool = false
    ) throws -> [GeneratedSeries] {
        var rng = SeededRandom(seed: seed)
        var seen: Set<[UInt8]> = []
        var out: [GeneratedSeries] = []
        var i = 0
        while out.count < count {
            i += 1
            var pairs: [String: String] = [
                "__name__": rng.pick(names), "job": rng.pick(jobs), "instance": "host-\(rng.int(in: 0...count / 3 + 1)):9100",
            ]
            if rng.chance(0.5) { pairs["env"] = rng.pick(["prod", "staging", "dev"]) }
            if rng.chance(0.2) { pairs["mode"] = rng.pick(["idle", "user", "system", "iowait"]) }
            if unicodeOrder && i % 7 == 0 { pairs["city"] = rng.chance(0.5) ? "caf\u{E9}" : "cafe\u{301}" }
            let labels = Labels(pairs)
            let key = Array(labels.map { $0.name + "\u{0}" + $0.value + "\u{0}" }.joined().utf8)
            guard seen.insert(key).inserted else { continue }
            let samples = sampleStream(&rng, count: rng.int(in: 1...maxSamples), minTime: minTime, maxTime: maxTime)
            out.append(GeneratedSeries(labels: labels, samples: samples, chunks: try SampleChunker.chunks(samples, samplesPerChunk: samplesPerChunk)))
        }
        return out
    }

    static func sampleStream(_ rng: inout SeededRandom, count: Int, minTime: Int64, maxTime: Int64) -> [Sample] {
        let step = max(1, (maxTime - minTime) / Int64(count + 1))
        var t = minTime + Int64(rng.int(in: 0...Int(min(step, 30_000))))
        var v = Double(rng.int(in: 0...1000))
        let gauge = rng.chance(0.5)
        var out: [Sample] = []
        while out.count < count && t < maxTime {
            if rng.chance(0.02) {
                out.append(Sample(t: t, v: StaleNaN.value))
            } else if rng.chance(0.01) {
                out.append(Sample(t: t, v: .nan))
            } else {
                v = gauge ? Double(rng.int(in: -5000...5000)) / 7.0 : v + Double(rng.int(in: 0...50))
                out.append(Sample(t: t, v: v))
            }
            t += max(1, step - 500 + Int64(rng.int(in: 0...1000)))
        }
        return out
    }

    /// Writes the series as one block and returns its meta.
    @discardableResult
    static func write(_ series: [GeneratedSeries], to dir: String, options: BlockWriterOptions = BlockWriterOptions()) throws -> BlockMeta {
        try BlockWriter.write(
            parentDirectory: dir, minTime: blockMinTime, maxTime: blockMaxTime, series: series.map { ($0.labels, $0.chunks) }, options: options)
    }

    /// Whether two label sets are the same bytes (Swift's `==` on strings would equate
    /// canonically equivalent text).
    static func sameBytes(_ a: Labels, _ b: Labels) -> Bool { ByteOrder.compare(a, b) == 0 }

    static func sameSamples(_ a: [Sample], _ b: [Sample]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.t == $1.t && $0.v.bitPattern == $1.v.bitPattern }
    }
}
