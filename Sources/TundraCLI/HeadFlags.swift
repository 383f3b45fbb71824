import ArgumentParser
import TundraHead
import TundraModel
import TundraServer

/// Flags every command that opens the data folder shares.
struct DataFlags: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder for the WAL and (later) local blocks (default ./data).")
    var dataDirectory: String?

    var resolved: String { dataDirectory ?? "./data" }
    var walDirectory: String { resolved + "/wal" }
    var blocksDirectory: String { resolved + "/blocks" }
}

/// Head settings. Each flag, when given, overrides the configuration file; the
/// defaults are in HeadOptions and docs/configuration.md.
struct HeadFlags: ParsableArguments {
    @Option(help: "How far behind its series' newest sample a late sample is still accepted (default 15m).")
    var lateWindow: String?

    @Option(help: "When the WAL fsyncs: 'batch', 'interval:<duration>' or 'never' (default interval:1s).")
    var walSync: String?

    @Option(name: .customLong("wal-segment-mib"), help: "WAL segment size in MiB (default 128).")
    var walSegmentMiB: Int?

    @Option(help: "Most series one metric name may have (0 = no limit, the default).")
    var maxSeriesPerMetric: Int?

    @Option(help: "Most distinct values one label name may have (0 = no limit, the default).")
    var maxLabelValues: Int?

    func apply(to o: inout HeadOptions) throws {
        if let lateWindow {
            guard let window = DurationText.milliseconds(lateWindow) else {
                throw ValidationError("--late-window: \"\(lateWindow)\" is not a duration (examples: 15m, 1h, 30s)")
            }
            o.lateWindow = window
        }
        if let walSync {
            guard let policy = WALSyncPolicy.parse(walSync) else {
                throw ValidationError("--wal-sync: \"\(walSync)\" is not one of batch, interval:<duration> (e.g. interval:1s), never")
            }
            o.wal.sync = policy
        }
        if let walSegmentMiB {
            guard walSegmentMiB >= 1 && walSegmentMiB <= 4096 else {
                throw ValidationError("--wal-segment-mib: \(walSegmentMiB) is outside 1...4096")
            }
            o.wal.segmentSize = walSegmentMiB << 20
        }
        if let n = maxSeriesPerMetric {
            guard n >= 0 else { throw ValidationError("--max-series-per-metric must be 0 (no limit) or positive") }
            o.limits.maxSeriesPerMetric = n == 0 ? nil : n
        }
        if let n = maxLabelValues {
            guard n >= 0 else { throw ValidationError("--max-label-values must be 0 (no limit) or positive") }
            o.limits.maxLabelValuesPerName = n == 0 ? nil : n
        }
    }
}
