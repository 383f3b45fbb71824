import Foundation
import TundraHead
import TundraIngest
import TundraModel
import TundraConfig
import TundraObjectStore
import Yams

/// The YAML configuration file: Prometheus-shaped where Prometheus has the same
/// thing (`global`, `scrape_configs`). Every key is documented in
/// docs/configuration.md; an unknown key is an error naming it and its line.
public struct ConfigFile: Sendable {
    public var options = ServerOptions()
    public var scrapeConfigs: [ScrapeConfig] = []

    public init() {}

    /// Reads and checks `path`, starting from the defaults in ``ServerOptions``.
    public static func load(path: String) throws(ConfigError) -> ConfigFile {
        try parse(try ConfigDocument.read(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigFile {
        let root = try ConfigDocument.compose(text, file: file)
        var config = ConfigFile()
        guard let root else { return config }
        try ConfigSchema.root.check(root, path: "", file: file)
        let r = ConfigReader(file: file)
        let o = config.options

        var globalInterval: Int64 = 60_000
        var globalTimeout: Int64 = 10_000
        if let g = root["global"] {
            globalInterval = try r.duration(g["scrape_interval"], "global.scrape_interval") ?? globalInterval
            globalTimeout = try r.duration(g["scrape_timeout"], "global.scrape_timeout") ?? globalTimeout
        }
        config.options.dataDirectory = try r.string(root["storage"]?["data_dir"], "storage.data_dir") ?? o.dataDirectory
        if let s = root["server"] {
            if let listen = try r.string(s["listen"], "server.listen") {
                guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                    throw r.error(s["listen"], "server.listen: \"\(listen)\" is not host:port")
                }
                config.options.host = String(listen[..<colon])
                config.options.port = port
            }
            if let mib = try r.int(s["max_request_mib"], "server.max_request_mib", min: 1) {
                config.options.maxRequestBytes = mib << 20
                config.options.maxDecompressedBytes = mib << 22
            }
            config.options.maxInflightWrites = try r.int(s["max_inflight_writes"], "server.max_inflight_writes", min: 1) ?? o.maxInflightWrites
            if let tls = s["tls"] {
                guard let cert = try r.string(tls["cert_file"], "server.tls.cert_file"),
                    let key = try r.string(tls["key_file"], "server.tls.key_file")
                else { throw r.error(tls, "server.tls needs both cert_file and key_file") }
                config.options.tls = TLSFiles(certFile: cert, keyFile: key)
            }
            if let auth = s["auth"] {
                config.options.writeAuth = try r.auth(auth["write"], "server.auth.write")
                config.options.readAuth = try r.auth(auth["read"], "server.auth.read")
            }
        }
        if let h = root["head"] {
            var head = o.head
            head.lateWindow = try r.duration(h["late_window"], "head.late_window") ?? head.lateWindow
            if let range = try r.duration(h["block_range"], "head.block_range") {
                guard range >= 60_000, 86_400_000 % range == 0 else {
                    throw r.error(h["block_range"], "head.block_range must be at least 1m and divide a day evenly (1m, 5m, 1h, 2h, ...)")
                }
                head.blockRange = range
            }
            if let sync = try r.string(h["wal_sync"], "head.wal_sync") {
                guard let policy = WALSyncPolicy.parse(sync) else {
                    throw r.error(h["wal_sync"], "head.wal_sync: \"\(sync)\" is not one of batch, interval:<duration>, never")
                }
                head.wal.sync = policy
            }
            if let mib = try r.int(h["wal_segment_mib"], "head.wal_segment_mib", min: 1) { head.wal.segmentSize = mib << 20 }
            if let n = try r.int(h["max_series_per_metric"], "head.max_series_per_metric", min: 0) {
                head.limits.maxSeriesPerMetric = n == 0 ? nil : n
            }
            if let n = try r.int(h["max_label_values_per_name"], "head.max_label_values_per_name", min: 0) {
                head.limits.maxLabelValuesPerName = n == 0 ? nil : n
            }
            config.options.head = head
        }
        if let b = root["bucket"] {
            config.options.bucket = try r.bucket(b)
        }
        if let b = root["blocks"] {
            config.options.blockCheckIntervalMs = try r.duration(b["check_interval"], "blocks.check_interval") ?? o.blockCheckIntervalMs
            if let keep = try r.string(b["local_retention"], "blocks.local_retention") {
                if keep == "forever" {
                    config.options.localBlockRetentionMs = nil
                } else {
                    config.options.localBlockRetentionMs = try r.duration(b["local_retention"], "blocks.local_retention", allowZero: true)
                }
            }
        }
        config.options.selfMonitorIntervalMs =
            try r.duration(root["self_monitor_interval"], "self_monitor_interval", allowZero: true) ?? o.selfMonitorIntervalMs
        if case .sequence(let list)? = root["scrape_configs"] {
            var names = Set<String>()
            for (i, node) in list.enumerated() {
                let sc = try ScrapeConfig.read(node, index: i, reader: r, interval: globalInterval, timeout: globalTimeout)
                guard names.insert(sc.jobName).inserted else {
                    throw r.error(node["job_name"], "scrape_configs[\(i)]: job_name \"\(sc.jobName)\" is used twice")
                }
                config.scrapeConfigs.append(sc)
            }
        }
        return config
    }
}

extension WALSyncPolicy {
    /// `batch`, `never` or `interval:<duration>`.
    public static func parse(_ text: String) -> WALSyncPolicy? {
        switch text {
        case "batch": return .everyBatch
        case "never": return .never
        default:
            guard text.hasPrefix("interval:"), let ms = DurationText.milliseconds(String(text.dropFirst(9))), ms > 0 else { return nil }
            return .interval(milliseconds: Int(ms))
        }
    }
}

extension ConfigReader {
    func auth(_ node: Node?, _ key: String) throws(ConfigError) -> AuthConfig? {
        guard let node else { return nil }
        let users = try string(node["basic_auth_users_file"], key + ".basic_auth_users_file")
        let tokens = try string(node["bearer_tokens_file"], key + ".bearer_tokens_file")
        guard users != nil || tokens != nil else {
            throw error(node, "\(key) needs basic_auth_users_file, bearer_tokens_file or both")
        }
        return AuthConfig(basicAuthUsersFile: users, bearerTokensFile: tokens)
    }
}
