import TundraModel

/// One endpoint to scrape, with the labels every series from it gets.
public struct ScrapeTarget: Sendable, Hashable {
    public var job: String
    public var address: String
    public var url: String
    /// `job`, `instance` and the group's labels.
    public var labels: Labels

    public init(config: ScrapeConfig, address: String, groupLabels: [String: String]) {
        job = config.jobName
        self.address = address
        url = "\(config.scheme)://\(address)\(config.metricsPath)"
        var l = groupLabels
        l["job"] = l["job"] ?? config.jobName
        l["instance"] = l["instance"] ?? address
        labels = Labels(l)
    }

    /// The targets of a job: its static groups and the groups its files gave.
    public static func targets(_ config: ScrapeConfig, fileGroups: [TargetGroup]) -> [ScrapeTarget] {
        var out: [ScrapeTarget] = []
        var seen = Set<ScrapeTarget>()
        for group in config.staticConfigs + fileGroups {
            for address in group.targets {
                let t = ScrapeTarget(config: config, address: address, groupLabels: group.labels)
                if seen.insert(t).inserted { out.append(t) }
            }
        }
        return out
    }
}
