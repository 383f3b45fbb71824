import TundraModel

/// One sample line of the Prometheus text exposition format.
public struct TextSample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    /// Milliseconds, when the line carries a timestamp.
    public var timestamp: Int64?

    public static func == (l: TextSample, r: TextSample) -> Bool {
        l.labels == r.labels && l.value.bitPattern == r.value.bitPattern && l.timestamp == r.timestamp
    }
}

/// A malformed line, with where it went wrong (1-based line and column).
public struct TextParseError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Parses the Prometheus text exposition format (version 0.0.4) line by line:
/// `name{label="value",...} value [timestamp_ms]`. Comment lines (`# HELP`, `# TYPE`,
/// others) and blank lines yield nil.
///
/// Bounds make hostile input cheap to refuse: a line longer than ``maxLineBytes``
/// or with more than ``maxLabels`` labels is an error, never a huge allocation.
public struct TextLineParser: Sendable {
    public var maxLineBytes = 1 << 20
    public var maxLabels = 256
    /// OpenMetrics: timestamps are seconds (with fractions), and a sample may carry an
    /// exemplar after ` # `, which is skipped.
    public var openMetrics = false

    public init() {}

    /// Parses one line (without its newline). `lineNumber` goes into errors.
    public func parse(_ line: some Collection<UInt8>, lineNumber: Int) throws(TextParseError) -> TextSample? {
        guard line.count <= maxLineBytes else {
            throw TextParseError(line: lineNumber, column: 1, message: "line is \(line.count) bytes; the limit is \(maxLineBytes)")
        }
        var cursor = Cursor(bytes: Array(line), line: lineNumber)
        cursor.skipSpaces()
        if cursor.atEnd || cursor.peek == UInt8(ascii: "#") { return nil }

        let name = try cursor.name(metric: true)
        guard !name.isEmpty else { throw cursor.error("expected a metric name") }
        var pairs = [Label(LabelName.metric, name)]
        cursor.skipSpaces()
        if cursor.peek == UInt8(ascii: "{") {
            cursor.advance()
            while true {
                cursor.skipSpaces()
                if cursor.peek == UInt8(ascii: "}") {
                    cursor.advance()
                    break
                }
                let labelName = try cursor.name(metric: false)
                guard !labelName.isEmpty else { throw cursor.error("expected a label name or '}'") }
                cursor.skipSpaces()
                try cursor.expect(UInt8(ascii: "="), "expected '=' after label name \"\(labelName)\"")
                cursor.skipSpaces()
                let value = try cursor.quoted()
                if labelName == LabelName.metric {
                    throw cursor.error("label \(LabelName.metric) inside braces; the metric name goes before them")
                }
                pairs.append(Label(labelName, value))
                guard pairs.count <= maxLabels + 1 else { throw cursor.error("more than \(maxLabels) labels") }
                cursor.skipSpaces()
                if cursor.peek == UInt8(ascii: ",") {
                    cursor.advance()
                } else if cursor.peek != UInt8(ascii: "}") {
                    throw cursor.error("expected ',' or '}' after label value")
                }
            }
        }
        cursor.skipSpaces()
        let valueColumn = cursor.column
        let valueText = cursor.word()
        guard !valueText.isEmpty else { throw cursor.error("expected a sample value") }
        guard let value = TextLineParser.parseFloat(valueText) else {
            throw TextParseError(line: lineNumber, column: valueColumn, message: "invalid sample value \"\(valueText)\"")
        }
        cursor.skipSpaces()
        var timestamp: Int64?
        if openMetrics && cursor.peek == UInt8(ascii: "#") {
            return TextSample(labels: try Self.labels(pairs, lineNumber), value: value, timestamp: nil)
        }
        if !cursor.atEnd {
            let tsColumn = cursor.column
            let tsText = cursor.word()
            if openMetrics {
                guard let seconds = Double(tsText), seconds.isFinite, abs(seconds) < 9e15 else {
                    throw TextParseError(line: lineNumber, column: tsColumn, message: "invalid timestamp \"\(tsText)\": expected seconds")
                }
                cursor.skipSpaces()
                guard cursor.atEnd || cursor.peek == UInt8(ascii: "#") else { throw cursor.error("unexpected text after the timestamp") }
                return TextSample(labels: try Self.labels(pairs, lineNumber), value: value, timestamp: Int64((seconds * 1000).rounded()))
            }
            guard let ts = Int64(tsText) else {
                throw TextParseError(line: lineNumber, column: tsColumn, message: "invalid timestamp \"\(tsText)\": expected integer milliseconds")
            }
            timestamp = ts
            cursor.skipSpaces()
            guard cursor.atEnd else { throw cursor.error("unexpected text after the timestamp") }
        }
        return TextSample(labels: try Self.labels(pairs, lineNumber), value: value, timestamp: timestamp)
    }

    private static func labels(_ pairs: [Label], _ lineNumber: Int) throws(TextParseError) -> Labels {
        do throws(LabelError) {
            return try Labels(validating: pairs)
        } catch {
            throw TextParseError(line: lineNumber, column: 1, message: error.description)
        }
    }

    /// Go's ParseFloat as the format uses it: decimals, exponents, `NaN`, `+Inf`, `-Inf`.
    static func parseFloat(_ s: String) -> Double? {
        switch s {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard let first = s.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") || (first >= 0x30 && first <= 0x39) else { return nil }
            // Swift's Double(String) also takes "nan", "inf", hex floats; the checks above and
            // here keep to the decimal forms Prometheus writes.
            guard !s.lowercased().contains("n"), !s.lowercased().contains("x") else { return nil }
            return Double(s)
        }
    }
}

private struct Cursor {
    let bytes: [UInt8]
    let line: Int
    var pos = 0

    var atEnd: Bool { pos >= bytes.count }
    var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }
    var column: Int { pos + 1 }

    mutating func advance() { pos += 1 }

    func error(_ message: String) -> TextParseError { TextParseError(line: line, column: column, message: message) }

    mutating func skipSpaces() {
        while let c = peek, c == 0x20 || c == 0x09 { pos += 1 }
    }

    mutating func expect(_ c: UInt8, _ message: String) throws(TextParseError) {
        guard peek == c else { throw error(message) }
        pos += 1
    }

    mutating func name(metric: Bool) throws(TextParseError) -> String {
        let start = pos
        while let c = peek {
            let letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || (metric && c == 0x3a)
            let digit = c >= 0x30 && c <= 0x39
            if letter || (digit && pos > start) {
                pos += 1
            } else {
                break
            }
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    mutating func quoted() throws(TextParseError) -> String {
        try expect(UInt8(ascii: "\""), "expected '\"' to start a label value")
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("label value not terminated") }
            pos += 1
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                guard let e = peek else { throw error("label value not terminated") }
                pos += 1
                switch e {
                case UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0a)
                default: throw TextParseError(line: line, column: pos, message: "invalid escape \"\\\(Character(Unicode.Scalar(e)))\" in label value")
                }
            } else {
                out.append(c)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("label value is not valid UTF-8") }
        return s
    }

    mutating func word() -> String {
        let start = pos
        while let c = peek, c != 0x20 && c != 0x09 { pos += 1 }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }
}
