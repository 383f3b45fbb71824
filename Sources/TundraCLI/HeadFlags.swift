import ArgumentParser
import TundraHead
import TundraModel

/// Flags every command that opens the data folder shares.
struct DataFlags: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder for the WAL and (later) local blocks.")
    var dataDirectory: String = "./data"

    var walDirectory: String { dataDirectory + "/wal" }
}

/// Head settings; documented in docs/configuration.md.
struct HeadFlags: ParsableArguments {
    @Option(help: "How far behind its series' newest sample a late sample is still accepted (e.g. 15m).")
    var lateWindow: String = "15m"

    @Option(help: "When the WAL fsyncs: 'batch' (before every acknowledgement), 'interval:<duration>' or 'never'.")
    var walSync: String = "interval:1s"

    @Option(name: .customLong("wal-segment-mib"), help: "WAL segment size in MiB.")
    var walSegmentMiB: Int = 128

    @Option(help: "Most series one metric name may have (0 = no limit).")
    var maxSeriesPerMetric: Int = 0

    @Option(help: "Most distinct values one label name may have (0 = no limit).")
    var maxLabelValues: Int = 0

    func headOptions() throws -> HeadOptions {
        var o = HeadOptions()
        guard let window = DurationText.milliseconds(lateWindow) else {
            throw ValidationError("--late-window: \"\(lateWindow)\" is not a duration (examples: 15m, 1h, 30s)")
        }
        o.lateWindow = window
        o.wal.sync = try HeadFlags.parseSync(walSync)
        guard walSegmentMiB >= 1 && walSegmentMiB <= 4096 else {
            throw ValidationError("--wal-segment-mib: \(walSegmentMiB) is outside 1...4096")
        }
        o.wal.segmentSize = walSegmentMiB << 20
        guard maxSeriesPerMetric >= 0, maxLabelValues >= 0 else {
            throw ValidationError("--max-series-per-metric and --max-label-values must be 0 (no limit) or positive")
        }
        o.limits = CardinalityLimits(
            maxSeriesPerMetric: maxSeriesPerMetric == 0 ? nil : maxSeriesPerMetric,
            maxLabelValuesPerName: maxLabelValues == 0 ? nil : maxLabelValues)
        return o
    }

    static func parseSync(_ text: String) throws -> WALSyncPolicy {
        switch text {
        case "batch": return .everyBatch
        case "never": return .never
        default:
            if text.hasPrefix("interval:"), let ms = DurationText.milliseconds(String(text.dropFirst(9))), ms > 0 {
                return .interval(milliseconds: Int(ms))
            }
            throw ValidationError("--wal-sync: \"\(text)\" is not one of batch, interval:<duration> (e.g. interval:1s), never")
        }
    }
}
