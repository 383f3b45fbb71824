import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Prometheus
import ServiceLifecycle
import TundraIngest
import UnixSignals

/// The `tundra serve` process: one HTTP listener, the head behind it, and the
/// services that keep the head (WAL sync, self-monitoring, optional text ingest).
///
/// Stops cleanly on SIGTERM and SIGINT: the listener stops accepting and finishes the
/// requests in flight, then the WAL is flushed and closed.
public enum TundraHTTPServer {
    public static func run(
        options: ServerOptions, scrapeConfigs: [ScrapeConfig] = [], registry: PrometheusCollectorRegistry, ingest: String? = nil,
        logger: Logger
    ) async throws {
        let lock = try DataDirectoryLock(directory: options.dataDirectory)
        let holder = HeadHolder()
        let router = Router()
        router.add(middleware: MetricsMiddleware())
        let write = WriteRoute(holder: holder, options: options, logger: logger)
        // Route groups carry their own credentials: writers and readers are often
        // different parties (a Prometheus agent, a Grafana).
        let writeGroup = router.group()
        if let auth = options.writeAuth { writeGroup.add(middleware: try AuthMiddleware(auth, realm: "tundra write")) }
        writeGroup.post("/api/v1/write") { request, context in try await write.handle(request, context: context) }
        AdminRoutes(holder: holder).register(write: writeGroup)
        let readGroup = router.group()
        if let auth = options.readAuth { readGroup.add(middleware: try AuthMiddleware(auth, realm: "tundra read")) }
        StatusRoutes(holder: holder, registry: registry, exporter: HeadMetricsExporter()).register(open: router, read: readGroup)

        let head = HeadService(holder: holder, options: options, ingest: ingest, logger: logger)
        let server: HTTPServerBuilder = try options.tls.map { try .tls(.http1(), tlsConfiguration: TLSSetup.configuration($0)) } ?? .http1()
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "Tundra"),
            // A service that returns ends the whole group, so scraping joins only when
            // there is something to scrape.
            services: scrapeConfigs.isEmpty ? [head] : [head, ScrapeService(configs: scrapeConfigs, holder: holder, logger: logger)],
            onServerRunning: { channel in
                logger.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger
        )
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        withExtendedLifetime(lock) {}
        logger.info("stopped")
    }
}
