import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import TundraHead
import TundraModel
import TundraServer

/// `tundra serve`: the HTTP server (remote-write, health, metrics) over the head.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the store: replay the WAL, take remote-write and keep samples durable.",
        discussion: """
            With --ingest FILE (or - for standard input) it also reads lines of the Prometheus \
            text format (`name{label="v"} value [timestamp_ms]`) and, after each batch is in \
            the WAL, prints `ok <lines> <appended> <refused>` on standard output.
            """
    )

    @Option(help: "YAML configuration file (see docs/configuration.md). Flags override it.")
    var config: String?

    @OptionGroup var data: DataFlags
    @OptionGroup var head: HeadFlags

    @Option(help: "Address to listen on, host:port (default 127.0.0.1:9470).")
    var listen: String?

    @Option(help: "Text-format samples to ingest: a file path, or - for standard input.")
    var ingest: String?

    @Option(help: "How often Tundra records its own metrics into its head, 0 to turn off (default 15s).")
    var selfMonitorInterval: String?

    @Option(name: .customLong("max-request-mib"), help: "Largest remote-write request body, in MiB compressed (default 32).")
    var maxRequestMiB: Int?

    @Option(help: "Most write requests handled at once; more get 429 (default 64).")
    var maxInflightWrites: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = makeLogger(level: logLevel)
        var file = ConfigFile()
        if let config {
            do {
                file = try ConfigFile.load(path: config)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        var options = file.options
        try head.apply(to: &options.head)
        if let dir = data.dataDirectory { options.dataDirectory = dir }
        if let listen { (options.host, options.port) = try ListenAddress.parse(listen) }
        if let selfMonitorInterval {
            guard let ms = selfMonitorInterval == "0" ? 0 : DurationText.milliseconds(selfMonitorInterval) else {
                throw ValidationError("--self-monitor-interval: \"\(selfMonitorInterval)\" is not a duration")
            }
            options.selfMonitorIntervalMs = ms
        }
        if let maxRequestMiB {
            guard maxRequestMiB >= 1 else { throw ValidationError("--max-request-mib must be at least 1") }
            options.maxRequestBytes = maxRequestMiB << 20
            options.maxDecompressedBytes = maxRequestMiB << 22
        }
        if let maxInflightWrites {
            guard maxInflightWrites >= 1 else { throw ValidationError("--max-inflight-writes must be at least 1") }
            options.maxInflightWrites = maxInflightWrites
        }
        try FileManager.default.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true)

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        try await TundraHTTPServer.run(
            options: options, scrapeConfigs: file.scrapeConfigs, registry: registry, ingest: ingest, logger: logger)
    }
}

enum ListenAddress {
    static func parse(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw ValidationError("--listen: \"\(text)\" is not host:port (example: 127.0.0.1:9470)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
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
