import Yams

/// The keys the configuration file may hold. Checked before decoding, so that a
/// misspelt key is an error naming it and its line, not silently ignored.
indirect enum ConfigSchema: Sendable {
    case value
    case map([String: ConfigSchema])
    case list(ConfigSchema)
    /// Free-form keys with plain values (label sets).
    case labels

    static let auth: ConfigSchema = .map([
        "basic_auth_users_file": .value, "bearer_tokens_file": .value,
    ])

    static let relabel: ConfigSchema = .map([
        "source_labels": .list(.value), "separator": .value, "regex": .value, "target_label": .value,
        "replacement": .value, "action": .value,
    ])

    static let scrape: ConfigSchema = .map([
        "job_name": .value, "scrape_interval": .value, "scrape_timeout": .value, "metrics_path": .value,
        "scheme": .value, "honor_labels": .value,
        "static_configs": .list(.map(["targets": .list(.value), "labels": .labels])),
        "file_sd_configs": .list(.map(["files": .list(.value), "refresh_interval": .value])),
        "metric_relabel_configs": .list(relabel),
    ])

    static let root: ConfigSchema = .map([
        "global": .map(["scrape_interval": .value, "scrape_timeout": .value]),
        "storage": .map(["data_dir": .value]),
        "server": .map([
            "listen": .value, "max_request_mib": .value, "max_inflight_writes": .value,
            "tls": .map(["cert_file": .value, "key_file": .value]),
            "auth": .map(["write": auth, "read": auth]),
        ]),
        "bucket": .map(["type": .value, "config": .labels]),
        "blocks": .map(["check_interval": .value, "local_retention": .value]),
        "head": .map([
            "block_range": .value, "late_window": .value, "wal_sync": .value, "wal_segment_mib": .value, "max_series_per_metric": .value,
            "max_label_values_per_name": .value,
        ]),
        "self_monitor_interval": .value,
        "scrape_configs": .list(scrape),
    ])

    /// Checks `node` against the schema; `path` names where we are, for errors.
    func check(_ node: Node, path: String, file: String) throws(ConfigError) {
        switch self {
        case .value:
            if case .scalar = node { return }
            throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a single value")
        case .labels:
            guard case .mapping(let m) = node else {
                throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a map of label names to values")
            }
            for (k, v) in m {
                guard case .scalar = v else {
                    throw ConfigError(file: file, line: v.mark?.line, message: "\(path).\(k.string ?? "?") must be a single value")
                }
            }
        case .list(let element):
            guard case .sequence(let seq) = node else {
                throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a list")
            }
            for (i, item) in seq.enumerated() { try element.check(item, path: "\(path)[\(i)]", file: file) }
        case .map(let keys):
            guard case .mapping(let m) = node else {
                throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a map")
            }
            for (k, v) in m {
                let name = k.string ?? "?"
                guard let sub = keys[name] else {
                    let known = keys.keys.sorted().joined(separator: ", ")
                    throw ConfigError(
                        file: file, line: k.mark?.line,
                        message: "unknown key \"\(name)\" in \(path.isEmpty ? "the top level" : path) (known keys: \(known))")
                }
                try sub.check(v, path: path.isEmpty ? name : "\(path).\(name)", file: file)
            }
        }
    }
}

/// A configuration problem, with the file and line it is on.
public struct ConfigError: Error, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
