import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The `tundra serve` process: one HTTP listener, the head behind it, and the
/// services that keep the head (WAL sync, self-monitoring, optional text ingest).
///
/// Stops cleanly on SIGTERM and SIGINT: the listener stops accepting and finishes the
/// requests in flight, then the WAL is flushed and closed.
public enum TundraHTTPServer {
    public static func run(
        options: ServerOptions, registry: PrometheusCollectorRegistry, ingest: String? = nil, logger: Logger
    ) async throws {
        let lock = try DataDirectoryLock(directory: options.dataDirectory)
        let holder = HeadHolder()
        let router = Router()
        router.add(middleware: MetricsMiddleware())
        let write = WriteRoute(holder: holder, options: options, logger: logger)
        router.post("/api/v1/write") { request, context in try await write.handle(request, context: context) }
        StatusRoutes(holder: holder, registry: registry, exporter: HeadMetricsExporter()).register(on: router)

        let head = HeadService(holder: holder, options: options, ingest: ingest, logger: logger)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "Tundra"),
            services: [head],
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
