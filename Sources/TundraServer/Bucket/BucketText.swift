import Foundation

/// Plain-text rendering of the bucket tools' reports: fixed-width tables, UTC times,
/// short durations and binary sizes. The `--json` forms encode the report structs
/// instead (``BucketText/json(_:)``).
public enum BucketText {
    /// Milliseconds since the epoch as ISO 8601 in UTC, with milliseconds only when
    /// there are some.
    public static func time(_ ms: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: ms % 1000 != 0, timeZone: .gmt)
        return date.formatted(style)
    }

    /// `2h`, `1h30m`, `45s`, `250ms`: the largest units, at most two of them.
    public static func duration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        if ms < 1000 { return "\(ms)ms" }
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        var rest = ms
        var parts: [String] = []
        for (name, size) in units where rest >= size && parts.count < 2 {
            parts.append("\(rest / size)\(name)")
            rest %= size
        }
        return parts.joined()
    }

    /// `raw` for 0, else the window as a duration (`1m`, `1h`).
    public static func resolution(_ ms: Int64) -> String { ms == 0 ? "raw" : duration(ms) }

    /// Bytes in binary units, one decimal past KiB.
    public static func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n) B" }
        var value = Double(n)
        for unit in ["KiB", "MiB", "GiB", "TiB"] {
            value /= 1024
            if value < 1024 || unit == "TiB" { return String(format: "%.1f %@", value, unit) }
        }
        return "\(n) B"
    }

    /// Columns padded to their widest cell, two spaces apart; `rightAligned` columns
    /// (numbers) are padded on the left.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                let isLast = i == cells.count - 1
                out += rightAligned.contains(i) ? pad + cell : cell + (isLast ? "" : pad)
                if !isLast { out += "  " }
            }
            return out
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// The JSON form of a report: indented, keys sorted, dates in ISO 8601.
    public static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
