import TundraConfig
import TundraModel
import Yams

extension CompactorConfig {
    /// The keys the compactor reads; other top-level sections belong to `tundra serve`,
    /// which checks them.
    static let schema: ConfigSchema = .map([
        "storage": .any, "bucket": .any, "global": .any, "server": .any, "blocks": .any, "head": .any,
        "self_monitor_interval": .any, "scrape_configs": .any,
        "compactor": .map([
            "work_dir": .value, "levels": .list(.value), "memory_budget_mib": .value, "deletion_delay": .value,
            "partial_upload_age": .value, "metrics_file": .value,
        ]),
        "downsampling": .map(["enabled": .value, "raw_after": .value, "1m_after": .value]),
        "retention": .map([
            "raw": .value, "1m": .value, "1h": .value, "require_rollup": .value,
            "overrides": .list(.map(["match": .value, "raw": .value, "1m": .value, "1h": .value])),
        ]),
    ])

    public static func load(path: String) throws(ConfigError) -> CompactorConfig {
        try parse(try ConfigDocument.read(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> CompactorConfig {
        var config = CompactorConfig()
        guard let root = try ConfigDocument.compose(text, file: file) else { return config }
        try schema.check(root, path: "", file: file)
        let r = ConfigReader(file: file)
        config.dataDirectory = try r.string(root["storage"]?["data_dir"], "storage.data_dir") ?? config.dataDirectory
        if let b = root["bucket"] { config.bucket = try r.bucket(b) }
        if let c = root["compactor"] { try config.readCompactor(c, r) }
        if let d = root["downsampling"] {
            config.downsampling.enabled = try r.bool(d["enabled"], "downsampling.enabled") ?? config.downsampling.enabled
            config.downsampling.rawAfterMs = try r.duration(d["raw_after"], "downsampling.raw_after", allowZero: true) ?? config.downsampling.rawAfterMs
            config.downsampling.oneMinuteAfterMs =
                try r.duration(d["1m_after"], "downsampling.1m_after", allowZero: true) ?? config.downsampling.oneMinuteAfterMs
        }
        if let t = root["retention"] { try config.retention.read(t, r) }
        try config.checkConsistency(root, r)
        return config
    }

    private mutating func readCompactor(_ c: Node, _ r: ConfigReader) throws(ConfigError) {
        workDirectory = try r.string(c["work_dir"], "compactor.work_dir") ?? workDirectory
        if let mib = try r.int(c["memory_budget_mib"], "compactor.memory_budget_mib", min: 16) { memoryBudgetBytes = mib << 20 }
        deletionDelayMs = try r.duration(c["deletion_delay"], "compactor.deletion_delay", allowZero: true) ?? deletionDelayMs
        partialUploadAgeMs = try r.duration(c["partial_upload_age"], "compactor.partial_upload_age", allowZero: true) ?? partialUploadAgeMs
        metricsFile = try r.string(c["metrics_file"], "compactor.metrics_file") ?? metricsFile
        if case .sequence(let list)? = c["levels"] {
            var ranges: [Int64] = []
            for (i, node) in list.enumerated() {
                guard let ms = try r.duration(node, "compactor.levels[\(i)]") else { continue }
                guard ms >= CompactorConfig.minute, CompactorConfig.day % ms == 0 || ms % CompactorConfig.day == 0 else {
                    throw r.error(node, "compactor.levels[\(i)]: a level must be at least 1m and divide a day or be whole days")
                }
                if let last = ranges.last, ms <= last || ms % last != 0 {
                    throw r.error(node, "compactor.levels[\(i)]: each level must be a multiple of the one before (\(DurationText.format(last)))")
                }
                ranges.append(ms)
            }
            guard !ranges.isEmpty else { throw r.error(c["levels"], "compactor.levels needs at least one range") }
            levels = ranges
        }
    }

    /// Combinations that would silently keep data forever or never roll it up.
    private func checkConsistency(_ root: Node, _ r: ConfigReader) throws(ConfigError) {
        guard retention.requireRollup else { return }
        let at = root["retention"] ?? root
        if !downsampling.enabled, retention.period(.raw) != nil || retention.overrides.indices.contains(where: { retention.period(.raw, override: $0) != nil }) {
            throw r.error(
                at,
                "retention: raw data is kept until its 1m rollup exists, and downsampling.enabled is false, so raw blocks would never be deleted; set retention.require_rollup: false to delete them without a rollup"
            )
        }
    }
}

extension RetentionPolicy {
    mutating func read(_ t: Node, _ r: ConfigReader) throws(ConfigError) {
        for resolution in Resolution.allCases {
            if let period = try Self.period(t[resolution.description], "retention.\(resolution)", r) { periods[resolution] = period }
        }
        requireRollup = try r.bool(t["require_rollup"], "retention.require_rollup") ?? requireRollup
        guard case .sequence(let list)? = t["overrides"] else { return }
        for (i, node) in list.enumerated() {
            let key = "retention.overrides[\(i)]"
            guard let text = try r.string(node["match"], key + ".match") else {
                throw r.error(node, "\(key) needs match: a series selector such as '{env=\"dev\"}'")
            }
            let matchers: [Matcher]
            do {
                matchers = try SelectorText.parse(text)
            } catch {
                throw r.error(node["match"], "\(key).match: \(error)")
            }
            var own: [Resolution: Int64?] = [:]
            for resolution in Resolution.allCases {
                if let period = try Self.period(node[resolution.description], "\(key).\(resolution)", r) { own[resolution] = period }
            }
            guard !own.isEmpty else { throw r.error(node, "\(key) sets no period: give raw, 1m or 1h") }
            overrides.append(Override(selector: text, matchers: matchers, periods: own))
        }
    }

    /// A duration, or `forever`; the outer nil means the key is absent.
    private static func period(_ node: Node?, _ key: String, _ r: ConfigReader) throws(ConfigError) -> Int64?? {
        guard let node else { return nil }
        if node.string == "forever" { return .some(nil) }
        return .some(try r.duration(node, key + " (a duration or forever)"))
    }
}
