import Foundation
import Prometheus

/// The compactor's metrics, written after every pass as a Prometheus text file (for
/// node_exporter's textfile collector, or to push to a Pushgateway): a cron job has no
/// port to scrape. The last success time and the failure counts carry over from the
/// file the last run left, so "has not succeeded in 24h" holds across failed runs.
public enum CompactorMetricsFile {
    public static func write(_ report: PassReport?, failure: PassFailure?, to path: String, now: Date) throws {
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)).map(parse) ?? [:]
        let registry = PrometheusCollectorRegistry()
        let succeeded = failure == nil && (report?.succeeded ?? false)
        func gauge(_ name: String, _ help: String, _ value: Double, _ labels: [(String, String)] = []) {
            registry.makeGauge(name: name, labels: labels, help: help).set(value)
        }
        let lastSuccess = succeeded ? now.timeIntervalSince1970 : previous["tundra_compactor_last_success_timestamp_seconds"] ?? 0
        gauge("tundra_compactor_last_success_timestamp_seconds", "When a pass last ended with the bucket in its target state.", lastSuccess)
        gauge("tundra_compactor_last_run_timestamp_seconds", "When the last pass ended.", now.timeIntervalSince1970)
        gauge("tundra_compactor_last_run_success", "1 if the last pass succeeded, 0 if not.", succeeded ? 1 : 0)
        var failures: [PassFailure.Reason: Int] = [:]
        for f in (report?.failures ?? []) + (failure.map { [$0] } ?? []) { failures[f.reason, default: 0] += 1 }
        for reason in PassFailure.Reason.allCases {
            let key = "tundra_compactor_failures_total{reason=\"\(reason.rawValue)\"}"
            let counter = registry.makeCounter(name: "tundra_compactor_failures_total", labels: [("reason", reason.rawValue)], help: "Pass failures by reason, over all runs.")
            counter.increment(by: Int64(previous[key] ?? 0) + Int64(failures[reason] ?? 0))
        }
        if let report {
            gauge("tundra_compactor_pass_duration_seconds", "How long the last pass took.", report.duration.seconds)
            for kind in ["merge", "downsample", "rewrite"] {
                gauge("tundra_compactor_pass_blocks_written", "Blocks the last pass wrote, by kind.", Double(report.blocksWritten[kind] ?? 0), [("kind", kind)])
            }
            gauge("tundra_compactor_pass_blocks_compacted", "Input blocks the last pass merged away.", Double(report.blocksCompacted))
            gauge("tundra_compactor_pass_blocks_marked_for_deletion", "Deletion marks the last pass wrote.", Double(report.blocksMarked))
            gauge("tundra_compactor_pass_blocks_deleted", "Blocks the last pass deleted.", Double(report.blocksDeleted.count))
            gauge("tundra_compactor_pass_bytes_read", "Bytes of blocks the last pass downloaded.", Double(report.bytesRead))
            gauge("tundra_compactor_pass_bytes_written", "Bytes of blocks the last pass uploaded.", Double(report.bytesWritten))
            gauge("tundra_compactor_pass_samples_processed", "Samples the last pass read from its inputs.", Double(report.samplesProcessed))
            for kind in RequestKind.allCases {
                gauge(
                    "tundra_compactor_pass_requests", "Object-store requests of the last pass, by kind.", Double(report.requests[kind]),
                    [("kind", kind.rawValue.lowercased())])
            }
            gauge("tundra_compactor_pass_peak_resident_bytes", "Peak resident memory of the process during the last pass.", Double(report.peakResidentBytes))
            gauge("tundra_compactor_quarantined_blocks", "Blocks in quarantine/ waiting for an operator.", Double(report.quarantinedTotal))
        }
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        // Written aside and renamed, so the collector never reads half a file.
        let temporary = path + ".tmp"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }

    /// `name{labels} value` lines of a text file, keyed by everything before the value.
    static func parse(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
