/// Series selectors written as text: `up`, `{job=~"api.*"}`, `up{env!="dev"}`.
///
/// Quoting, escapes and names follow the Prometheus PromQL lexer, so a selector copied
/// from a dashboard or a Prometheus config means here what it means there.
public enum SelectorText {
    /// Parses `metric_name`, `{a="b", c!="d", e=~"re", f!~"re"}` or `metric{...}` into matchers.
    /// The metric name becomes an equality matcher on `__name__`.
    public static func parse(_ text: String) throws(SelectorError) -> [Matcher] {
        var parser = SelectorParser(text)
        return try parser.selector()
    }
}

public struct SelectorError: Error, CustomStringConvertible, Equatable {
    public let text: String
    /// 0-based offset of the offending character. Counted in Unicode scalars, so a
    /// combining mark cannot hide a quote or backslash inside a larger character.
    public let position: Int
    public let reason: String

    public init(text: String, position: Int, reason: String) {
        self.text = text
        self.position = position
        self.reason = reason
    }

    public var description: String { "selector \(text): at character \(position): \(reason)" }
}

private struct SelectorParser {
    let text: String
    let chars: [Unicode.Scalar]
    var i = 0

    init(_ text: String) {
        self.text = text
        chars = Array(text.unicodeScalars)
    }

    var peek: Unicode.Scalar? { i < chars.count ? chars[i] : nil }

    mutating func selector() throws(SelectorError) -> [Matcher] {
        skipSpace()
        var matchers: [Matcher] = []
        var metricName: String?
        if let c = peek, Self.isName(c, first: true, colon: true) {
            let name = word(colon: true)
            metricName = name
            matchers.append(.equal(LabelName.metric, name))
            skipSpace()
            if peek == nil { return matchers }
        }
        let open = i
        guard peek == "{" else { throw fail(metricName == nil ? #"expected metric name or "{""# : #"expected "{" or end of text"#) }
        i += 1
        while true {
            skipSpace()
            if peek == "}" { break }  // also accepts a trailing comma, as Prometheus does
            guard let c = peek, Self.isName(c, first: true, colon: false) else { throw fail(#"expected label name or "}""#) }
            let namePos = i
            let name = word(colon: false)
            skipSpace()
            guard let kind = matchOperator() else { throw fail(#"expected one of "=", "!=", "=~", "!~""#) }
            skipSpace()
            let valuePos = i
            let value = try quoted()
            do {
                matchers.append(try Matcher(kind, name, value))
            } catch {
                throw at(valuePos, error.description)
            }
            if name == LabelName.metric, let metricName {
                let names = "\"\(LabelText.escape(metricName))\" or \"\(LabelText.escape(value))\""
                throw at(namePos, "metric name must not be set twice: \(names)")
            }
            skipSpace()
            if peek == "," {
                i += 1
            } else if peek != "}" {
                throw fail(#"expected "," or "}""#)
            }
        }
        i += 1
        skipSpace()
        guard peek == nil else { throw fail("expected end of text") }
        if matchers.isEmpty { throw at(open, "a selector needs at least one matcher") }
        // A selector that matches the empty string would select every series in the store.
        if matchers.allSatisfy({ $0.matches("") }) { throw at(open, "at least one matcher must not match the empty string") }
        return matchers
    }

    mutating func matchOperator() -> Matcher.Kind? {
        let kinds: [(String, Matcher.Kind)] = [("=~", .regexMatch), ("!=", .notEqual), ("!~", .regexNoMatch), ("=", .equal)]
        for (token, kind) in kinds where chars[i...].starts(with: token.unicodeScalars) {
            i += token.unicodeScalars.count
            return kind
        }
        return nil
    }

    /// Builds the value as bytes because `\x` and octal escapes give bytes, not characters:
    /// `"\xc3\xa9"` is "é", as in Prometheus.
    mutating func quoted() throws(SelectorError) -> String {
        let open = i
        guard let quote = peek, quote == "\"" || quote == "'" || quote == "`" else { throw fail("expected a quoted string") }
        let raw = quote == "`"
        i += 1
        var bytes: [UInt8] = []
        while true {
            // Only raw strings may span lines; the Prometheus lexer ends the others at a newline.
            guard let c = peek, raw || c != "\n" else {
                throw at(open, raw ? "unterminated raw string" : "unterminated quoted string")
            }
            i += 1
            if c == quote { break }
            if c == "\\" && !raw {
                try escape(into: &bytes, quote: quote)
            } else {
                bytes.append(contentsOf: c.utf8)
            }
        }
        guard let value = String(validating: bytes, as: UTF8.self) else {
            throw at(open, "escape sequences in the string do not form valid UTF-8")
        }
        return value
    }

    /// Called just past a backslash. As in Prometheus, only the string's own quote may be
    /// escaped: `\'` inside double quotes is an unknown escape.
    mutating func escape(into bytes: inout [UInt8], quote: Unicode.Scalar) throws(SelectorError) {
        let start = i - 1
        guard let c = peek else { throw at(start, "escape sequence not terminated") }
        i += 1
        let simple: [Unicode.Scalar: UInt8] = ["a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92]
        if let b = simple[c] ?? (c == quote ? UInt8(ascii: c) : nil) {
            bytes.append(b)
            return
        }
        let digits: Int, radix: UInt32, kind: String
        switch c {
        case "0"..."7": (digits, radix, kind) = (3, 8, "octal"); i -= 1  // the first digit is one of the three
        case "x": (digits, radix, kind) = (2, 16, "hexadecimal")
        case "u": (digits, radix, kind) = (4, 16, "hexadecimal")
        case "U": (digits, radix, kind) = (8, 16, "hexadecimal")
        case "!"..."~": throw at(start, "unknown escape sequence \"\\\(c)\"")
        default:
            // Spaces and control characters would be invisible in the message.
            let hex = String(c.value, radix: 16, uppercase: true)
            let code = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw at(start, "unknown escape sequence: backslash before U+\(code)")
        }
        var code: UInt32 = 0
        for _ in 0..<digits {
            guard let d = peek, let v = UInt32(String(d), radix: Int(radix)) else {
                throw at(start, "escape sequence \"\(source(from: start))\" needs \(digits) \(kind) digits")
            }
            code = code * radix + v
            i += 1
        }
        if c == "u" || c == "U" {
            guard let scalar = Unicode.Scalar(code) else {
                throw at(start, "escape sequence \"\(source(from: start))\" is not a valid Unicode code point")
            }
            bytes.append(contentsOf: scalar.utf8)
        } else {
            guard code <= 255 else { throw at(start, "escape sequence \"\(source(from: start))\" is above \\377") }
            bytes.append(UInt8(truncatingIfNeeded: code))
        }
    }

    static func isName(_ c: Unicode.Scalar, first: Bool, colon: Bool) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "_": true
        case "0"..."9": !first
        case ":": colon
        default: false
        }
    }

    mutating func word(colon: Bool) -> String {
        let start = i
        while let c = peek, Self.isName(c, first: i == start, colon: colon) { i += 1 }
        return source(from: start)
    }

    func source(from start: Int) -> String { String(String.UnicodeScalarView(chars[start..<i])) }

    mutating func skipSpace() {
        while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1 }
    }

    func at(_ position: Int, _ reason: String) -> SelectorError { SelectorError(text: text, position: position, reason: reason) }

    func fail(_ expected: String) -> SelectorError {
        let found = peek.map { "\"\($0.escaped(asASCII: false))\"" } ?? "end of text"
        return at(i, "\(expected), found \(found)")
    }
}
