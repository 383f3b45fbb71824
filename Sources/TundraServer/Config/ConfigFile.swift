import Foundation
import TundraHead
import TundraIngest
import TundraModel
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
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw ConfigError(file: file, line: nil, message: "not valid YAML: \(e)")
        } catch {
            throw ConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
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

/// Typed access to checked YAML nodes, with errors that name the key and line.
struct ConfigReader {
    let file: String

    func error(_ node: Node?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, message: message)
    }

    func string(_ node: Node?, _ key: String) throws(ConfigError) -> String? {
        guard let node else { return nil }
        guard let s = node.string else { throw error(node, "\(key) must be text") }
        return s
    }

    func int(_ node: Node?, _ key: String, min: Int) throws(ConfigError) -> Int? {
        guard let s = try string(node, key) else { return nil }
        guard let n = Int(s), n >= min else { throw error(node, "\(key): \"\(s)\" must be a whole number of at least \(min)") }
        return n
    }

    /// `bucket:` in the shape of the Thanos object-store file.
    func bucket(_ node: Node) throws(ConfigError) -> BucketConfig {
        guard let type = try string(node["type"], "bucket.type") else { throw error(node, "bucket needs a type: S3 or FILESYSTEM") }
        var settings: [String: String] = [:]
        if case .mapping(let m)? = node["config"] {
            for (k, v) in m { if let name = k.string, let value = v.string { settings[name] = value } }
        }
        do {
            return try BucketConfig(type: type, settings: settings)
        } catch let e as ObjectStoreError {
            if case .badConfig(let key, let reason) = e {
                let at = key == "type" ? node["type"] : (node["config"]?[key] ?? node["config"] ?? node)
                throw error(at, "bucket.\(key == "type" ? "type" : "config." + key): \(reason)")
            }
            throw error(node, "bucket: \(e)")
        } catch {
            throw self.error(node, "bucket: \(error)")
        }
    }

    func bool(_ node: Node?, _ key: String) throws(ConfigError) -> Bool? {
        guard let s = try string(node, key) else { return nil }
        switch s {
        case "true": return true
        case "false": return false
        default: throw error(node, "\(key): \"\(s)\" must be true or false")
        }
    }

    func duration(_ node: Node?, _ key: String, allowZero: Bool = false) throws(ConfigError) -> Int64? {
        guard let s = try string(node, key) else { return nil }
        if allowZero && s == "0" { return 0 }
        guard let ms = DurationText.milliseconds(s), ms > 0 || allowZero else {
            throw error(node, "\(key): \"\(s)\" is not a duration (examples: 15s, 1m, 1h30m)")
        }
        return ms
    }

    func strings(_ node: Node?, _ key: String) throws(ConfigError) -> [String] {
        guard case .sequence(let seq)? = node else { return [] }
        var out: [String] = []
        for (i, item) in seq.enumerated() {
            guard let s = item.string else { throw error(item, "\(key)[\(i)] must be text") }
            out.append(s)
        }
        return out
    }

    func labels(_ node: Node?, _ key: String) throws(ConfigError) -> [String: String] {
        guard case .mapping(let m)? = node else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in m {
            guard let name = k.string, LabelValidation.isValidName(name) else {
                throw error(k, "\(key): \"\(k.string ?? "?")\" is not a valid label name")
            }
            out[name] = v.string ?? ""
        }
        return out
    }

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
