/// One `scrape_configs` entry: the Prometheus subset people use.
public struct ScrapeConfig: Sendable, Equatable {
    public var jobName: String
    public var intervalMs: Int64
    public var timeoutMs: Int64
    public var metricsPath = "/metrics"
    public var scheme = "http"
    public var honorLabels = false
    public var staticConfigs: [TargetGroup] = []
    public var fileSDConfigs: [FileSDConfig] = []
    public var metricRelabelConfigs: [RelabelRule] = []

    public init(jobName: String, intervalMs: Int64, timeoutMs: Int64) {
        self.jobName = jobName
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
    }
}

/// Targets that share labels, from `static_configs` or a file of `file_sd_configs`.
public struct TargetGroup: Sendable, Equatable {
    public var targets: [String]
    public var labels: [String: String]

    public init(targets: [String], labels: [String: String]) {
        self.targets = targets
        self.labels = labels
    }
}

public struct FileSDConfig: Sendable, Equatable {
    public var files: [String]
    public var refreshIntervalMs: Int64 = 5 * 60_000

    public init(files: [String], refreshIntervalMs: Int64 = 5 * 60_000) {
        self.files = files
        self.refreshIntervalMs = refreshIntervalMs
    }
}
