import Logging
import NIOPosix
import ServiceLifecycle
import TundraHead
import TundraModel

/// Opens the head (replaying the WAL off the event loops), then keeps it: flushes the
/// WAL on the interval policy and records Tundra's own metrics, until graceful
/// shutdown, when it closes the WAL after the HTTP server has drained.
struct HeadService: Service {
    let holder: HeadHolder
    let options: ServerOptions
    let ingest: String?
    let logger: Logger

    func run() async throws {
        let opts = options
        let log = logger
        let head: Head
        do {
            head = try await NIOThreadPool.singleton.runIfActive {
                try Head(directory: opts.walDirectory, options: opts.head, logger: log)
            }
        } catch {
            holder.fail("\(error)")
            logger.critical("cannot open the head", metadata: ["error": "\(error)"])
            throw error
        }
        holder.set(head)
        logger.info(
            "head ready",
            metadata: [
                "series": "\(head.stats.series)", "replayed_records": "\(head.replayStats.records)",
                "wal_sync": "\(opts.head.wal.sync)",
            ])
        if let ingest {
            try IngestThread(head: head, source: ingest, logger: logger).start()
        }
        let monitor = SelfMonitorSeries(head: head, instance: "\(opts.host):\(opts.port)")
        var lastMonitor = ContinuousClock.now - .seconds(3600)
        // A tick of 200 ms serves both the WAL's interval sync and the monitor.
        for await _ in TickSequence(interval: .milliseconds(200)).cancelOnGracefulShutdown() {
            do {
                try await NIOThreadPool.singleton.runIfActive { try head.syncWALIfDue() }
            } catch {
                logger.error("WAL sync failed", metadata: ["error": "\(error)"])
            }
            if opts.selfMonitorIntervalMs > 0, ContinuousClock.now - lastMonitor >= .milliseconds(opts.selfMonitorIntervalMs) {
                lastMonitor = ContinuousClock.now
                let series = monitor.series(now: UnixTime.millis())
                do {
                    _ = try await NIOThreadPool.singleton.runIfActive { try head.append(series) }
                } catch {
                    logger.error("self-monitoring append failed", metadata: ["error": "\(error)"])
                }
            }
        }
        logger.info("closing the WAL")
        try head.close()
    }
}

/// Ticks at a fixed interval until cancelled.
struct TickSequence: AsyncSequence, Sendable {
    typealias Element = Void
    let interval: Duration

    struct AsyncIterator: AsyncIteratorProtocol {
        let interval: Duration
        mutating func next() async -> Void? {
            do {
                try await Task.sleep(for: interval)
                return ()
            } catch {
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(interval: interval) }
}
