import ArgumentParser
import Foundation
import Logging
import TundraBlock
import TundraHead
import TundraIngest
import TundraModel
import TundraServer

/// `tundra tools import`:
/// * with `--from openmetrics|text`, a backfill: writes the file's samples straight
///   into blocks in the bucket, one block per block range, with progress;
/// * without, loads a text-format file (with timestamps) into a data folder's head
///   and WAL, and reports what it stored: series, samples, chunk bytes per sample,
///   throughput and memory. The benchmarks use it for bytes/sample and RSS per series.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Backfill history into the bucket (--from), or load text-format samples into a data folder's head."
    )

    @OptionGroup var data: DataFlags
    @OptionGroup var head: HeadFlags
    @OptionGroup var config: ConfigFlags

    @Argument(help: "A text-format file, or - for standard input (head load only).")
    var file: String

    @Option(help: "Backfill: the file's format, openmetrics or text. Blocks go to the bucket; the head is not touched.")
    var from: Backfill.Format?

    @Option(help: "Backfill: the range of each block (default: head.block_range, 2h).")
    var blockRange: String?

    @Flag(help: "Keep the head in memory only (no WAL), to measure the head alone.")
    var noWAL = false

    @Option(help: "Log level.")
    var logLevel: String = "warning"

    func run() async throws {
        if let from {
            try await backfill(from)
            return
        }
        let logger = makeLogger(level: logLevel)
        var options = HeadOptions()
        try head.apply(to: &options)
        options.lateWindow = max(options.lateWindow, 0)
        let dir: String? = noWAL ? nil : data.walDirectory
        if !noWAL {
            try FileManager.default.createDirectory(atPath: data.resolved, withIntermediateDirectories: true)
        }
        let lock = noWAL ? nil : try DataDirectoryLock(directory: data.resolved)
        let store = try Head(directory: dir, options: options, logger: logger)
        let fd = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ServerError("cannot open \(file): \(String(cString: strerror(errno)))") }
        var ingester = TextStreamIngester(head: store, now: UnixTime.millis)
        var buf = [UInt8](repeating: 0, count: 4 << 20)
        var appended = 0
        var rejected = 0
        var parseErrors = 0
        let start = ContinuousClock.now
        while true {
            let n = buf.withUnsafeMutableBytes { p -> Int in
                guard let base = p.baseAddress else { return 0 }
                return read(fd, base, p.count)
            }
            if n < 0 && errno == EINTR { continue }
            let r = n > 0 ? try ingester.feed(buf[0..<n]) : try ingester.finish()
            appended += r.append.appended
            rejected += r.append.rejectedSamples
            parseErrors += r.parseErrors.count
            for e in r.parseErrors.prefix(5) { logger.warning("malformed line", metadata: ["error": "\(e)"]) }
            if n <= 0 { break }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        try store.close()
        let st = store.storageStats()
        let proc = ProcessStats.read()
        let report: [(String, String)] = [
            ("series", "\(st.series)"),
            ("samples_appended", "\(appended)"),
            ("samples_rejected", "\(rejected)"),
            ("parse_errors", "\(parseErrors)"),
            ("chunks", "\(st.chunks)"),
            ("chunk_bytes", "\(st.chunkBytes)"),
            ("bytes_per_sample", String(format: "%.4f", st.bytesPerSample)),
            ("seconds", String(format: "%.3f", seconds)),
            ("samples_per_second", String(format: "%.0f", Double(appended) / max(seconds, 1e-9))),
            ("rss_bytes", "\(proc.residentBytes)"),
            ("peak_rss_bytes", "\(proc.peakResidentBytes)"),
            ("peak_rss_per_series", "\(st.series == 0 ? 0 : proc.peakResidentBytes / st.series)"),
        ]
        print(report.map { "\($0.0) \($0.1)" }.joined(separator: "\n"))
        withExtendedLifetime(lock) {}
    }

    private func backfill(_ format: Backfill.Format) async throws {
        let logger = makeLogger(level: logLevel)
        let (store, options) = try config.store(data, logger: logger)
        var range = options.head.blockRange
        if let blockRange {
            guard let ms = DurationText.milliseconds(blockRange), ms >= 60_000 else {
                throw ValidationError("--block-range: \"\(blockRange)\" is not a duration of at least 1m")
            }
            range = ms
        }
        guard file != "-" else { throw ValidationError("a backfill reads a file, not standard input") }
        let job = Backfill(
            store: store, workDirectory: options.dataDirectory + "/backfill", blockRange: range, logger: logger,
            progress: { line in print(line) })
        let blocks = try await job.importFile(file, format: format)
        let samples = blocks.reduce(0) { $0 + $1.stats.numSamples }
        print("imported \(samples) samples into \(blocks.count) blocks")
    }
}

extension Backfill.Format: ExpressibleByArgument {}
