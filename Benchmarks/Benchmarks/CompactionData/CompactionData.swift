import BenchmarkSupport
import Foundation
import Logging
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore

/// Writes a bucket of raw 2h blocks for the compactor benchmark (docs/benchmarks.md,
/// "Compaction and downsampling"): `--series` series of node-exporter-like hosts (100
/// series per host), a scrape every 15 s, `--blocks` consecutive blocks aligned to 2h
/// and ending on a 2d boundary at least 3 days before now, so that the default
/// levels merge them into whole 8h and 2d blocks and downsampling applies.
///
///     CompactionData --bucket /tmp/bucket --series 10000 --blocks 24 --seed 42
///
/// With `--s3-endpoint host:port --s3-bucket NAME` (keys from AWS_ACCESS_KEY_ID and
/// AWS_SECRET_ACCESS_KEY) each block is written to `--bucket` first and uploaded, then
/// removed locally. The same seed gives the same samples; block IDs come from the clock.
@main
struct CompactionData {
    struct Options {
        var bucket: String?
        var series = 10_000
        var blocks = 24
        var seed: UInt64 = 42
        var intervalMs: Int64 = 15_000
        var endMs: Int64?
        var s3Endpoint: String?
        var s3Bucket: String?
    }

    static let blockRange: Int64 = 2 * 3_600_000
    static let alignment: Int64 = 48 * 3_600_000
    static let usage = """
        usage: CompactionData --bucket DIR [--series N] [--blocks N] [--seed N] [--interval-ms N] [--end-ms N]
                              [--s3-endpoint HOST:PORT --s3-bucket NAME]
        """

    static func main() async {
        do {
            let options = try parse(Array(CommandLine.arguments.dropFirst()))
            try await run(options)
        } catch {
            FileHandle.standardError.write(Data("CompactionData: \(error)\n".utf8))
            exit(1)
        }
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ args: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw UsageError(description: "\(args[i - 1]) needs a value\n\(usage)") }
            return args[i]
        }
        func number<T: FixedWidthInteger>(_ flag: String) throws -> T {
            let text = try value()
            guard let n = T(text), n > 0 else { throw UsageError(description: "\(flag): \"\(text)\" is not a positive integer") }
            return n
        }
        while i < args.count {
            let flag = args[i]
            switch flag {
            case "--bucket": o.bucket = try value()
            case "--series": o.series = try number(flag)
            case "--blocks": o.blocks = try number(flag)
            case "--seed": o.seed = try number(flag)
            case "--interval-ms": o.intervalMs = try number(flag)
            case "--end-ms": o.endMs = try number(flag)
            case "--s3-endpoint": o.s3Endpoint = try value()
            case "--s3-bucket": o.s3Bucket = try value()
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw UsageError(description: "unknown argument \(flag)\n\(usage)")
            }
            i += 1
        }
        guard o.bucket != nil else { throw UsageError(description: "--bucket is required\n\(usage)") }
        guard (o.s3Endpoint == nil) == (o.s3Bucket == nil) else { throw UsageError(description: "give both --s3-endpoint and --s3-bucket, or neither") }
        if let end = o.endMs, end % blockRange != 0 { throw UsageError(description: "--end-ms must be a multiple of 2h (7200000)") }
        guard o.intervalMs >= 100, blockRange % o.intervalMs == 0 else {
            throw UsageError(description: "--interval-ms must be at least 100 and divide 2h (7200000)")
        }
        return o
    }

    static func run(_ o: Options) async throws {
        guard let directory = o.bucket else { return }
        var store: (any ObjectStore)?
        if let endpoint = o.s3Endpoint, let name = o.s3Bucket {
            var s3 = S3BucketConfig(bucket: name, endpoint: endpoint)
            s3.insecure = true
            store = try makeObjectStore(.s3(s3), dataDir: directory, logger: Logger(label: "CompactionData"))
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let end = o.endMs ?? ((nowMs - 3 * 86_400_000) / alignment) * alignment
        let start = end - Int64(o.blocks) * blockRange

        // Series, their state, and each host's scrape phase within the interval.
        let perHost = HostModel.seriesPerHost
        let hosts = (o.series + perHost - 1) / perHost
        var series: [(labels: Labels, host: Int)] = []
        var states: [SeriesState] = []
        var rngs: [RandomSource] = []
        series.reserveCapacity(o.series)
        var setup = RandomSource(seed: o.seed)
        var phases: [Int64] = []
        for host in 0..<hosts {
            phases.append(Int64(setup.unit() * Double(o.intervalMs - 30)))
            for (labels, kind) in HostModel.series(host: host) where series.count < o.series {
                var rng = RandomSource(seed: o.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(series.count) &+ 1)
                let state = SeriesState(kind: kind, rng: &rng)
                series.append((labels, host))
                states.append(state)
                rngs.append(rng)
            }
        }
        // Each host's exporter restarts (its counters reset) about once a week.
        let restartChance = Double(o.intervalMs) / (7 * 86_400_000)
        var hostRng = RandomSource(seed: o.seed ^ 0x5EED_0F_4057)

        print("writing \(o.blocks) blocks of 2h, \(o.series) series (\(hosts) hosts), a sample every \(o.intervalMs) ms")
        print("range [\(start), \(end)) = \(iso(start)) to \(iso(end))")
        let began = Date()
        var totalSamples: UInt64 = 0
        var totalBytes: Int64 = 0
        for b in 0..<o.blocks {
            let blockStart = start + Int64(b) * blockRange
            let scrapes = Int(blockRange / o.intervalMs)
            // Per host: the scrape timestamps (phase plus a few ms of jitter) and restarts.
            var times: [[Int64]] = []
            var restarts: [[Bool]] = []
            for host in 0..<hosts {
                var t: [Int64] = []
                var r: [Bool] = []
                t.reserveCapacity(scrapes)
                r.reserveCapacity(scrapes)
                for k in 0..<scrapes {
                    // Prometheus aligns a scrape's timestamp to the interval when it is
                    // within 2 ms; one in twenty scrapes starts later than that.
                    let late = hostRng.unit() < 0.05 ? 3 + Int64(hostRng.next() % 20) : 0
                    t.append(blockStart + Int64(k) * o.intervalMs + phases[host] + late)
                    r.append(hostRng.unit() < restartChance)
                }
                times.append(t)
                restarts.append(r)
            }
            var blockSeries: [(labels: Labels, chunks: [SeriesChunk])] = []
            blockSeries.reserveCapacity(series.count)
            var samples = [Sample](repeating: Sample(t: 0, v: 0), count: scrapes)
            let seconds = Double(o.intervalMs) / 1000
            for i in series.indices {
                let host = series[i].host
                for k in 0..<scrapes {
                    let v = states[i].advance(seconds: seconds, restarted: restarts[host][k], rng: &rngs[i])
                    samples[k] = Sample(t: times[host][k], v: v)
                }
                blockSeries.append((series[i].labels, try SampleChunker.chunks(samples, blockRange: blockRange)))
            }
            let parent = directory
            let meta = try BlockWriter.write(parentDirectory: parent, minTime: blockStart, maxTime: blockStart + blockRange, series: blockSeries)
            let local = parent + "/" + meta.ulid.description
            let bytes = try folderBytes(local)
            if let store {
                try await BlockUpload.upload(store, localDirectory: local, ulid: meta.ulid)
                try FileManager.default.removeItem(atPath: local)
            }
            totalSamples += meta.stats.numSamples
            totalBytes += bytes
            print(
                "block \(b + 1)/\(o.blocks) \(meta.ulid) [\(iso(blockStart)), +2h): \(meta.stats.numSeries) series, \(meta.stats.numSamples) samples, "
                    + "\(meta.stats.numChunks) chunks, \(bytes) bytes")
        }
        let elapsed = Date().timeIntervalSince(began)
        print(
            "done: \(totalSamples) samples, \(totalBytes) bytes (\(String(format: "%.3f", Double(totalBytes) / Double(max(totalSamples, 1)))) B/sample) "
                + "in \(String(format: "%.1f", elapsed)) s")
    }

    static func folderBytes(_ path: String) throws -> Int64 {
        var total: Int64 = 0
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        while let name = walker.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + name)
            if attributes[.type] as? FileAttributeType == .typeRegular { total += (attributes[.size] as? NSNumber)?.int64Value ?? 0 }
        }
        return total
    }

    static func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
