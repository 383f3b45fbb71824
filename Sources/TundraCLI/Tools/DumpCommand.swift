import ArgumentParser
import Foundation
import Logging
import TundraBlock
import TundraHead
import TundraModel
import TundraServer

/// `tundra tools dump`: prints every sample of a data folder (the head, from its WAL,
/// and the local blocks), as `promtool tsdb dump` does: `{labels} value timestamp_ms`,
/// series sorted, samples in time order. A sample both in a block and in the head (a
/// crash between a cut and the WAL checkpoint leaves such) prints once.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the samples in a data folder's WAL and local blocks (read-only; safe while the server runs)."
    )

    @OptionGroup var data: DataFlags

    @Option(help: "Only series whose metric name is this.")
    var metric: String?

    @Option(help: "Earliest timestamp (ms) to print.")
    var minTime: Int64 = .min

    @Option(help: "Latest timestamp (ms) to print.")
    var maxTime: Int64 = .max

    @Flag(help: "Leave out the local blocks: the head (WAL) alone.")
    var headOnly = false

    @Option(help: "Log level for replay messages.")
    var logLevel: String = "warning"

    func run() throws {
        let logger = makeLogger(level: logLevel)
        guard FileManager.default.fileExists(atPath: data.walDirectory) else {
            throw ServerError("no WAL at \(data.walDirectory): is --data-dir right?")
        }
        let head = try Head(directory: data.walDirectory, logger: logger, readOnly: true)
        let matchers = metric.map { [Matcher.equal(LabelName.metric, $0)] } ?? []
        var all: [Labels: [Sample]] = [:]
        for series in try head.select(matchers, mint: minTime, maxt: maxTime) { all[series.labels] = series.samples }
        if !headOnly {
            try DumpCommand.readBlocks(data.blocksDirectory, matchers, minTime, maxTime, into: &all)
        }
        var out = ""
        for labels in all.keys.sorted() {
            let text = "{" + labels.map(\.description).joined(separator: ", ") + "}"
            for s in DumpCommand.merged(all[labels] ?? []) {
                out += text + " " + DumpCommand.formatValue(s.v) + " " + String(s.t) + "\n"
                if out.utf8.count > 1 << 20 {
                    FileHandle.standardOutput.write(Data(out.utf8))
                    out = ""
                }
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    static func readBlocks(_ dir: String, _ matchers: [Matcher], _ mint: Int64, _ maxt: Int64, into all: inout [Labels: [Sample]]) throws {
        guard FileManager.default.fileExists(atPath: dir) else { return }
        for ulid in try BlockDirectory.blocks(in: dir) {
            let reader = try BlockReader(directory: dir + "/" + ulid.description)
            let selectors = matchers.isEmpty ? [try Matcher(.regexMatch, LabelName.metric, ".*")] : matchers
            for series in try reader.select(matchers: selectors, minTime: mint, maxTime: maxt) {
                all[series.labels, default: []] += try reader.samples(of: series, minTime: mint, maxTime: maxt)
            }
        }
    }

    /// Time order; the same sample (time and value bits) once.
    static func merged(_ samples: [Sample]) -> [Sample] {
        let sorted = samples.sorted { $0.t < $1.t }
        var out: [Sample] = []
        out.reserveCapacity(sorted.count)
        for s in sorted where !(out.last.map { $0.t == s.t && $0.v.bitPattern == s.v.bitPattern } ?? false) { out.append(s) }
        return out
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
