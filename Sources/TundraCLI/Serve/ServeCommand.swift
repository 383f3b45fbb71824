import ArgumentParser
import Dispatch
import Foundation
import Logging
import TundraHead
import TundraModel

#if canImport(Glibc)
import Glibc
#endif

/// `tundra serve`: opens the head (replaying its WAL), monitors itself, and takes
/// samples in the text exposition format from `--ingest` until SIGTERM or SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the store: replay the WAL, take samples, keep them durable.",
        discussion: """
            With --ingest FILE (or - for standard input) it reads lines of the Prometheus \
            text format (`name{label="v"} value [timestamp_ms]`) and, after each batch is in \
            the WAL, prints `ok <lines> <appended> <rejected>` on standard output.
            """
    )

    @OptionGroup var data: DataFlags
    @OptionGroup var head: HeadFlags

    @Option(help: "Text-format samples to ingest: a file path, or - for standard input.")
    var ingest: String?

    @Option(help: "How often Tundra records its own metrics (0s to turn off).")
    var selfMonitorInterval: String = "15s"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() throws {
        let logger = makeLogger(level: logLevel)
        let options = try head.headOptions()
        guard let monitorMs = DurationTextFlag.parse(selfMonitorInterval, flag: "--self-monitor-interval") else {
            throw ValidationError("--self-monitor-interval: \"\(selfMonitorInterval)\" is not a duration")
        }
        try FileManager.default.createDirectory(atPath: data.dataDirectory, withIntermediateDirectories: true)
        let lock = try DataDirectoryLock(directory: data.dataDirectory)
        let store = try Head(directory: data.walDirectory, options: options, logger: logger)
        logger.info(
            "head ready",
            metadata: [
                "data_dir": "\(data.dataDirectory)", "series": "\(store.stats.series)",
                "wal_sync": "\(options.wal.sync)", "late_window_ms": "\(options.lateWindow)",
            ])

        let stop = DispatchSemaphore(value: 0)
        let signalQueue = DispatchQueue(label: "tundra.signals")
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
            src.setEventHandler { stop.signal() }
            src.resume()
            sources.append(src)
        }

        let timers = DispatchQueue(label: "tundra.timers")
        let syncTimer = DispatchSource.makeTimerSource(queue: timers)
        syncTimer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        syncTimer.setEventHandler {
            do { try store.syncWALIfDue() } catch { logger.error("WAL sync failed", metadata: ["error": "\(error)"]) }
        }
        syncTimer.resume()

        var monitorTimer: (any DispatchSourceTimer)?
        if monitorMs > 0 {
            let monitor = SelfMonitor(head: store, instance: "tundra:\(data.dataDirectory)")
            let t = DispatchSource.makeTimerSource(queue: timers)
            t.schedule(deadline: .now(), repeating: .milliseconds(Int(monitorMs)))
            t.setEventHandler {
                do { _ = try store.append(monitor.series(now: unixMillis())) } catch {
                    logger.error("self-monitoring append failed", metadata: ["error": "\(error)"])
                }
            }
            t.resume()
            monitorTimer = t
        }

        if let ingest {
            let thread = IngestThread(head: store, source: ingest, logger: logger)
            try thread.start()
        }

        stop.wait()
        logger.info("stopping: flushing the WAL")
        syncTimer.cancel()
        monitorTimer?.cancel()
        // Appends in flight finish under the WAL lock; close waits for them.
        try store.close()
        withExtendedLifetime((lock, sources)) {}
        logger.info("stopped")
    }
}

enum DurationTextFlag {
    static func parse(_ text: String, flag: String) -> Int64? {
        if text == "0" { return 0 }
        return DurationText.milliseconds(text)
    }
}

func makeLogger(level: String) -> Logger {
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = Logger.Level(rawValue: level) ?? .info
        return h
    }
    return Logger(label: "tundra")
}
