import TundraConfig
import TundraIngest
import TundraModel
import Yams

extension ScrapeConfig {
    /// Reads one checked `scrape_configs` entry, with the global defaults.
    static func read(_ node: Node, index i: Int, reader r: ConfigReader, interval: Int64, timeout: Int64) throws(ConfigError)
        -> ScrapeConfig
    {
        let at = "scrape_configs[\(i)]"
        guard let job = try r.string(node["job_name"], at + ".job_name"), !job.isEmpty else {
            throw r.error(node, "\(at) needs a job_name")
        }
        let iv = try r.duration(node["scrape_interval"], at + ".scrape_interval") ?? interval
        let to = try r.duration(node["scrape_timeout"], at + ".scrape_timeout") ?? min(timeout, iv)
        guard to <= iv else {
            throw r.error(node["scrape_timeout"], "\(at): scrape_timeout (\(to) ms) is longer than scrape_interval (\(iv) ms)")
        }
        var sc = ScrapeConfig(jobName: job, intervalMs: iv, timeoutMs: to)
        sc.metricsPath = try r.string(node["metrics_path"], at + ".metrics_path") ?? sc.metricsPath
        sc.scheme = try r.string(node["scheme"], at + ".scheme") ?? sc.scheme
        guard sc.scheme == "http" || sc.scheme == "https" else {
            throw r.error(node["scheme"], "\(at).scheme: \"\(sc.scheme)\" must be http or https")
        }
        sc.honorLabels = try r.bool(node["honor_labels"], at + ".honor_labels") ?? false
        if case .sequence(let groups)? = node["static_configs"] {
            for (g, group) in groups.enumerated() {
                let targets = try r.strings(group["targets"], "\(at).static_configs[\(g)].targets")
                for t in targets where !t.contains(":") {
                    throw r.error(group["targets"], "\(at).static_configs[\(g)]: target \"\(t)\" must be host:port")
                }
                sc.staticConfigs.append(TargetGroup(targets: targets, labels: try r.labels(group["labels"], "\(at).static_configs[\(g)].labels")))
            }
        }
        if case .sequence(let sds)? = node["file_sd_configs"] {
            for (f, sd) in sds.enumerated() {
                let files = try r.strings(sd["files"], "\(at).file_sd_configs[\(f)].files")
                guard !files.isEmpty else { throw r.error(sd, "\(at).file_sd_configs[\(f)] needs files") }
                let refresh = try r.duration(sd["refresh_interval"], "\(at).file_sd_configs[\(f)].refresh_interval") ?? 5 * 60_000
                sc.fileSDConfigs.append(FileSDConfig(files: files, refreshIntervalMs: refresh))
            }
        }
        if case .sequence(let rules)? = node["metric_relabel_configs"] {
            for (k, rule) in rules.enumerated() {
                let where_ = "\(at).metric_relabel_configs[\(k)]"
                let actionText = try r.string(rule["action"], where_ + ".action") ?? "replace"
                guard let action = RelabelRule.Action(rawValue: actionText) else {
                    let known = RelabelRule.Action.allCases.map(\.rawValue).joined(separator: ", ")
                    throw r.error(rule["action"], "\(where_).action: \"\(actionText)\" is not supported (supported: \(known))")
                }
                let target = try r.string(rule["target_label"], where_ + ".target_label") ?? ""
                if action == .replace && target.isEmpty {
                    throw r.error(rule, "\(where_): action replace needs a target_label")
                }
                let sources = try r.strings(rule["source_labels"], where_ + ".source_labels")
                let separator = try r.string(rule["separator"], where_ + ".separator") ?? ";"
                let regex = try r.string(rule["regex"], where_ + ".regex") ?? "(.*)"
                let replacement = try r.string(rule["replacement"], where_ + ".replacement") ?? "$1"
                do throws(MatcherError) {
                    sc.metricRelabelConfigs.append(
                        try RelabelRule(
                            action: action, sourceLabels: sources, separator: separator, regex: regex, targetLabel: target,
                            replacement: replacement))
                } catch {
                    throw r.error(rule["regex"], "\(where_).regex: \(error)")
                }
            }
        }
        return sc
    }
}
