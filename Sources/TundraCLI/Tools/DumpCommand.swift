import ArgumentParser
import Foundation
import Logging
import TundraHead
import TundraModel
import TundraServer

/// `tundra tools dump`: prints every sample of a data folder, as `promtool tsdb dump`
/// does: `{labels} value timestamp_ms`, series sorted, samples in time order.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the samples in a data folder's WAL (read-only; safe while the server runs)."
    )

    @OptionGroup var data: DataFlags

    @Option(help: "Only series whose metric name is this.")
    var metric: String?

    @Option(help: "Earliest timestamp (ms) to print.")
    var minTime: Int64 = .min

    @Option(help: "Latest timestamp (ms) to print.")
    var maxTime: Int64 = .max

    @Option(help: "Log level for replay messages.")
    var logLevel: String = "warning"

    func run() throws {
        let logger = makeLogger(level: logLevel)
        guard FileManager.default.fileExists(atPath: data.walDirectory) else {
            throw ServerError("no WAL at \(data.walDirectory): is --data-dir right?")
        }
        let head = try Head(directory: data.walDirectory, logger: logger, readOnly: true)
        let matchers = metric.map { [Matcher.equal(LabelName.metric, $0)] } ?? []
        var out = ""
        for series in try head.select(matchers, mint: minTime, maxt: maxTime) {
            let labels = "{" + series.labels.map(\.description).joined(separator: ", ") + "}"
            for s in series.samples {
                out += labels + " " + DumpCommand.formatValue(s.v) + " " + String(s.t) + "\n"
                if out.utf8.count > 1 << 20 {
                    FileHandle.standardOutput.write(Data(out.utf8))
                    out = ""
                }
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// Shortest exact decimal; NaNs other than the common one print with their bits,
    /// so a stale marker is visible as such.
    static func formatValue(_ v: Double) -> String {
        if v.isNaN {
            return v.bitPattern == Double.nan.bitPattern ? "NaN" : "NaN(0x" + String(v.bitPattern, radix: 16) + ")"
        }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        return "\(v)"
    }
}
