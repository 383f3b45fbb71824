import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import TundraBlock
import TundraHead
import TundraModel
import TundraObjectStore

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
        let blocks: BlockManager
        do {
            blocks = try await openBlocks(head)
        } catch {
            holder.fail("\(error)")
            logger.critical("cannot open the block store", metadata: ["error": "\(error)"])
            throw error
        }
        holder.set(blocks)
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
        var lastBlockCheck = ContinuousClock.now
        // A tick of 200 ms serves both the WAL's interval sync and the monitor.
        for await _ in TickSequence(interval: .milliseconds(200)).cancelOnGracefulShutdown() {
            do {
                try await NIOThreadPool.singleton.runIfActive { try head.syncWALIfDue() }
            } catch {
                logger.error("WAL sync failed", metadata: ["error": "\(error)"])
            }
            // In its own task: an upload may take long, and the WAL sync must not wait.
            if ContinuousClock.now - lastBlockCheck >= .milliseconds(opts.blockCheckIntervalMs) {
                lastBlockCheck = ContinuousClock.now
                Task { await blocks.check() }
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
        // A cut in progress truncates the head and checkpoints the WAL: let it end
        // (and any upload queued with it) before the WAL closes.
        await blocks.drain()
        logger.info("closing the WAL")
        try head.close()
    }
}

extension HeadService {
    /// The bucket, the shipper and the cutter. Blocks cut from the head before a
    /// restart set the head's floor again, so the head does not take samples for
    /// ranges already cut (beyond the late window), as before the restart.
    func openBlocks(_ head: Head) async throws -> BlockManager {
        let store = try makeObjectStore(options.bucket, dataDir: options.dataDirectory, logger: logger)
        let dir = options.blocksDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for stale in try BlockDirectory.removeTemporaryDirectories(in: dir) {
            logger.warning("removed a block left half-written by a crash", metadata: ["path": "\(stale)"])
        }
        let shipper = try await Shipper(store: store, directory: dir, localRetentionMs: options.localBlockRetentionMs, logger: logger)
        var newest: Int64 = .min
        for ulid in try BlockDirectory.blocks(in: dir) {
            let path = dir + "/" + ulid.description + "/" + BlockMeta.fileName
            let meta = try BlockMeta.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
            if meta.tundra?.source == .head { newest = max(newest, meta.maxTime) }
        }
        if newest > .min {
            head.raiseFloor(to: newest - options.head.lateWindow)
        }
        return BlockManager(cutter: BlockCutter(head: head, directory: dir, logger: logger), shipper: shipper, logger: logger)
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
