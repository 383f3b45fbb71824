import TundraModel

/// Turns one scrape's body (or failure) into the series to append, as Prometheus
/// does: target labels attached, metric relabelling applied, the report series
/// (`up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
/// `scrape_samples_post_metric_relabeling`), and staleness markers for series that
/// were there last time and are not now.
public struct ScrapeBatch: Sendable {
    public let target: ScrapeTarget
    public let config: ScrapeConfig
    /// Series written by the previous scrape, for staleness.
    public private(set) var previous: Set<Labels> = []
    /// The last scrape's error, if it failed.
    public private(set) var lastError: String?

    public init(target: ScrapeTarget, config: ScrapeConfig) {
        self.target = target
        self.config = config
    }

    /// The series to append for a scrape at `t` (ms) that took `duration` seconds.
    /// `body` is nil when the request itself failed (`error` says why).
    public mutating func build(
        body: [UInt8]?, openMetrics: Bool, error: String?, t: Int64, duration: Double
    ) -> [SeriesSamples] {
        var out: [SeriesSamples] = []
        var current = Set<Labels>()
        var scraped = 0
        var failure = error
        if let body, failure == nil {
            var parser = TextLineParser()
            parser.openMetrics = openMetrics
            var lineNumber = 0
            var parsed: [SeriesSamples] = []
            for line in body.split(separator: 0x0a, omittingEmptySubsequences: false) {
                lineNumber += 1
                let trimmed = line.last == 0x0d ? line.dropLast() : line
                if openMetrics && trimmed.elementsEqual("# EOF".utf8) { break }
                do throws(TextParseError) {
                    guard let s = try parser.parse(trimmed, lineNumber: lineNumber) else { continue }
                    scraped += 1
                    guard let labels = attach(s.labels) else { continue }
                    guard current.insert(labels).inserted else { continue }
                    parsed.append(SeriesSamples(labels: labels, samples: [Sample(t: s.timestamp ?? t, v: s.value)]))
                } catch {
                    failure = "malformed exposition: \(error)"
                    break
                }
            }
            if failure == nil { out = parsed } else { current = [] }
        }
        if failure != nil { scraped = 0 }
        for gone in previous.subtracting(current) {
            out.append(SeriesSamples(labels: gone, samples: [Sample(t: t, v: StaleNaN.value)]))
        }
        previous = current
        lastError = failure
        out.append(report("up", failure == nil ? 1 : 0, t))
        out.append(report("scrape_duration_seconds", duration, t))
        out.append(report("scrape_samples_scraped", Double(scraped), t))
        out.append(report("scrape_samples_post_metric_relabeling", Double(current.count), t))
        return out
    }

    /// Stale markers for everything this target wrote, report series included: for
    /// when the target goes away.
    public mutating func staleAll(t: Int64) -> [SeriesSamples] {
        var out = previous.map { SeriesSamples(labels: $0, samples: [Sample(t: t, v: StaleNaN.value)]) }
        for name in ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling"] {
            out.append(report(name, StaleNaN.value, t))
        }
        previous = []
        return out
    }

    private func report(_ name: String, _ v: Double, _ t: Int64) -> SeriesSamples {
        var pairs = target.labels.pairs
        pairs.append(Label(LabelName.metric, name))
        pairs.sort { $0.name < $1.name }
        return SeriesSamples(labels: Labels(sorted: pairs), samples: [Sample(t: t, v: v)])
    }

    /// Target labels on top of the scraped ones (a clash keeps the scraped value as
    /// `exported_<name>` unless `honor_labels`), then metric relabelling.
    func attach(_ scraped: Labels) -> Labels? {
        var pairs = scraped.pairs
        for tl in target.labels {
            if let i = pairs.firstIndex(where: { $0.name == tl.name }) {
                if config.honorLabels { continue }
                let old = pairs.remove(at: i)
                pairs.removeAll { $0.name == "exported_" + tl.name }
                pairs.append(Label("exported_" + tl.name, old.value))
            }
            pairs.append(tl)
        }
        guard let relabelled = RelabelRule.apply(config.metricRelabelConfigs, to: pairs) else { return nil }
        do throws(LabelError) {
            let labels = try Labels(validating: relabelled)
            try LabelValidation.checkSeries(labels)
            return labels
        } catch {
            return nil
        }
    }
}
