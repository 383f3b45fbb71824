import Foundation
import TundraBlock

extension BucketText {
    /// `tundra tools bucket ls`: one row per block by minTime, then what is not a block.
    public static func list(_ inventory: BucketInventory) -> String {
        let header = ["ULID", "MIN TIME", "MAX TIME", "DURATION", "RESOLUTION", "LEVEL", "SOURCE", "SERIES", "SAMPLES", "SIZE"]
        var rows: [[String]] = []
        for b in inventory.blocks {
            let m = b.meta
            var row = [
                m.ulid.description, time(m.minTime), time(m.maxTime), duration(m.maxTime - m.minTime), resolution(b.resolution),
                "\(m.compaction.level)", m.tundra?.source.rawValue ?? "-", "\(m.stats.numSeries)", "\(m.stats.numSamples)", bytes(b.size),
            ]
            if let mark = b.deletionMark { row[9] += "  " + markText(mark) }
            rows.append(row)
        }
        var out = table(header, rows, rightAligned: [5, 7, 8])
        let samples = inventory.blocks.reduce(UInt64(0)) { $0 + $1.meta.stats.numSamples }
        let size = inventory.blocks.reduce(Int64(0)) { $0 + $1.size }
        out += "\(inventory.blocks.count) blocks, \(samples) samples, \(bytes(size))\n"
        if !inventory.unreadable.isEmpty {
            out += "\nunreadable meta.json (readers skip these blocks):\n"
            for u in inventory.unreadable { out += "  \(u.ulid)  \(bytes(u.size))  \(u.problem)\n" }
        }
        if !inventory.partialUploads.isEmpty {
            out += "\npartial uploads (no meta.json; readers ignore them, the compactor removes them after a delay):\n"
            out += partialTable(inventory.partialUploads)
        }
        return out
    }

    /// `tundra tools bucket inspect ULID`.
    public static func inspect(_ i: BlockInspection) -> String {
        let m = i.block.meta
        var out = "block \(m.ulid)\n"
        var fields: [(String, String)] = [
            ("time range", "\(time(m.minTime)) to \(time(m.maxTime)) (\(duration(m.maxTime - m.minTime)); ms \(m.minTime) to \(m.maxTime))"),
            ("resolution", resolution(i.block.resolution) + (m.tundra?.rollup.map { " (\($0))" } ?? "")),
            ("source", m.tundra?.source.rawValue ?? "- (not written by tundra)"),
            ("level", "\(m.compaction.level), from \(plural(m.compaction.sources.count, "source block"))"),
            ("series", "\(m.stats.numSeries)"),
            ("chunks", "\(m.stats.numChunks)"),
            ("samples", "\(m.stats.numSamples)"),
            ("size", bytes(i.block.size)),
        ]
        if let encodings = m.tundra?.chunkEncodings, !encodings.isEmpty {
            fields.append(("chunk encodings", encodings.map(String.init).joined(separator: ", ")))
        }
        if let mark = i.block.deletionMark { fields.append(("deletion", markText(mark))) }
        let width = fields.map(\.0.count).max() ?? 0
        for (k, v) in fields { out += "  " + k + ":" + String(repeating: " ", count: width - k.count + 1) + v + "\n" }

        out += "\nfiles:\n"
        out += indent(table(["FILE", "SIZE"], i.block.files.map { [$0.path, bytes($0.size)] }, rightAligned: [1]))
        out += "\nlabel names (\(i.labels.count)):\n"
        out += indent(table(["LABEL", "VALUES"], i.labels.map { [$0.name, "\($0.values)"] }, rightAligned: [1]))
        out += "\ntop metric names by series (\(i.topMetrics.count) of \(i.metricNames)):\n"
        out += indent(table(["METRIC", "SERIES"], i.topMetrics.map { [$0.name, "\($0.series)"] }, rightAligned: [1]))
        return out
    }

    /// `tundra tools bucket verify`: a line per block, problems under it, then partial
    /// uploads, overlaps and a verdict.
    public static func verify(_ r: BucketVerifyReport) -> String {
        var out = ""
        for b in r.blocks {
            let marked = b.deletionMarked ? " (marked for deletion)" : ""
            if b.problems.isEmpty {
                let c = b.counted.map { " (\($0.numSeries) series, \($0.numChunks) chunks, \($0.numSamples) samples)" } ?? ""
                out += "block \(b.ulid)\(marked): ok\(c)\n"
            } else {
                out += "block \(b.ulid)\(marked): \(b.problems.count) problem\(b.problems.count == 1 ? "" : "s")\n"
                for p in b.problems { out += "  \(p)\n" }
            }
        }
        for p in r.partialUploads {
            out += "partial upload \(p.prefix): \(plural(p.objects, "object")), \(bytes(p.size)), no meta.json; last written \(duration(p.ageSeconds * 1000)) ago\n"
        }
        for o in r.overlaps {
            let rollup = o.rollup.map { " \($0)" } ?? ""
            out += "overlap (info): \(resolution(o.resolution))\(rollup) blocks \(o.first) and \(o.second) share "
                + "\(time(o.minTime)) to \(time(o.maxTime)); late data does this, the compactor merges them\n"
        }
        let n = r.blocks.count
        if r.ok {
            out += "OK: \(n) block\(n == 1 ? "" : "s") verified\n"
        } else {
            let bad = r.blocks.filter { !$0.problems.isEmpty }.count
            var parts: [String] = []
            if bad > 0 { parts.append("\(bad) of \(n) block\(n == 1 ? "" : "s") with problems") }
            if !r.partialUploads.isEmpty { parts.append("\(r.partialUploads.count) partial upload\(r.partialUploads.count == 1 ? "" : "s")") }
            out += "FAILED: " + parts.joined(separator: ", ") + "\n"
        }
        return out
    }

    private static func partialTable(_ partial: [PartialUpload]) -> String {
        indent(
            table(
                ["PREFIX", "OBJECTS", "SIZE", "LAST WRITTEN", "AGE"],
                partial.map { p in
                    [p.prefix, "\(p.objects)", bytes(p.size), p.lastModified.formatted(Date.ISO8601FormatStyle()), duration(p.ageSeconds * 1000)]
                }, rightAligned: [1]))
    }

    private static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    private static func markText(_ mark: MarkSeen) -> String {
        guard let t = mark.deletionTime else { return "marked for deletion" }
        return "marked for deletion at " + time(t * 1000)
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }
}
