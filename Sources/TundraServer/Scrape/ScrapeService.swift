import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization
import TundraHead
import TundraIngest
import TundraModel

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Pulls metrics from `scrape_configs` targets into the head, as Prometheus does.
/// Targets come from static groups and from files that are re-read when they change;
/// a target that goes away gets staleness markers for everything it wrote.
struct ScrapeService: Service {
    let configs: [ScrapeConfig]
    let holder: HeadHolder
    let logger: Logger

    private final class Active: Sendable {
        let targets = Mutex<Set<ScrapeTarget>>([])
    }

    func run() async throws {
        guard !configs.isEmpty else { return }
        let session = URLSession(configuration: .ephemeral)
        let active = Active()
        let fileSD = FileSD(logger: logger)
        await withDiscardingTaskGroup { group in
            var running = Set<ScrapeTarget>()
            for await _ in TickSequence(interval: .seconds(1)).cancelOnGracefulShutdown() {
                guard let head = holder.head else { continue }
                var desired: [(ScrapeTarget, ScrapeConfig)] = []
                for config in configs {
                    let groups = fileSD.groups(config.fileSDConfigs)
                    desired += ScrapeTarget.targets(config, fileGroups: groups).map { ($0, config) }
                }
                let set = Set(desired.map(\.0))
                active.targets.withLock { $0 = set }
                for (target, config) in desired where !running.contains(target) {
                    logger.info("scrape: starting target", metadata: ["job": "\(target.job)", "url": "\(target.url)"])
                    group.addTask {
                        await Self.loop(target, config, head: head, session: session, active: active, logger: logger)
                    }
                }
                running = set
            }
            active.targets.withLock { $0 = [] }
            group.cancelAll()
        }
    }

    private static func loop(
        _ target: ScrapeTarget, _ config: ScrapeConfig, head: Head, session: URLSession, active: Active, logger: Logger
    ) async {
        var batch = ScrapeBatch(target: target, config: config)
        // Spread targets over the interval, the same offset every time for a target.
        let offset = Int64(target.labels.stableHash % UInt64(max(config.intervalMs, 1)))
        var next = (UnixTime.millis() / config.intervalMs) * config.intervalMs + offset
        while true {
            let wait = next - UnixTime.millis()
            if wait > 0 {
                // Cancelled means shutdown: stop without staleness markers, as
                // Prometheus does, so a restart continues the series without a gap.
                do { try await Task.sleep(for: .milliseconds(wait)) } catch { return }
            }
            guard active.targets.withLock({ $0.contains(target) }) else { break }
            let t = UnixTime.millis()
            let start = ContinuousClock.now
            let (body, openMetrics, error) = await fetch(target, config, session: session)
            let took = ContinuousClock.now - start
            let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
            let series = batch.build(body: body, openMetrics: openMetrics, error: error, t: t, duration: seconds)
            if let e = batch.lastError {
                logger.warning("scrape failed", metadata: ["job": "\(target.job)", "url": "\(target.url)", "error": "\(e)"])
            }
            await append(series, head: head, logger: logger)
            next += config.intervalMs
            if next < UnixTime.millis() { next = UnixTime.millis() + config.intervalMs }
        }
        // Removed from its job (a file changed): its series end here.
        await append(batch.staleAll(t: UnixTime.millis()), head: head, logger: logger)
    }

    private static func append(_ series: [SeriesSamples], head: Head, logger: Logger) async {
        do {
            let result = try await NIOThreadPool.singleton.runIfActive { try head.append(series) }
            for r in result.rejections.prefix(3) {
                logger.debug("scrape: sample refused", metadata: ["reason": "\(r)"])
            }
        } catch {
            logger.error("scrape: cannot append", metadata: ["error": "\(error)"])
        }
    }

    private static func fetch(_ target: ScrapeTarget, _ config: ScrapeConfig, session: URLSession) async -> ([UInt8]?, Bool, String?) {
        guard let url = URL(string: target.url) else { return (nil, false, "invalid URL \(target.url)") }
        var req = URLRequest(url: url)
        req.timeoutInterval = Double(config.timeoutMs) / 1000
        req.setValue(
            "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1",
            forHTTPHeaderField: "Accept")
        req.setValue(String(Double(config.timeoutMs) / 1000), forHTTPHeaderField: "X-Prometheus-Scrape-Timeout-Seconds")
        do {
            let (data, response) = try await session.data(for: req)
            guard let http = response as? HTTPURLResponse else { return (nil, false, "no HTTP response") }
            guard http.statusCode == 200 else { return (nil, false, "server returned HTTP status \(http.statusCode)") }
            let type = (http.value(forHTTPHeaderField: "Content-Type") ?? "").lowercased()
            return ([UInt8](data), type.hasPrefix("application/openmetrics-text"), nil)
        } catch {
            return (nil, false, "\(error.localizedDescription)")
        }
    }
}
