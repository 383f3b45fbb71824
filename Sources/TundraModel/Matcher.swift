import Foundation

/// A label matcher as in PromQL: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
///
/// Regular expressions are anchored at both ends and `.` matches a newline, as in
/// Prometheus (`^(?s:re)$` under RE2). Common shapes (a literal, an alternation of literals,
/// `.*`, `.+`) are answered without running the regex engine.
public struct Matcher: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let kind: Kind
    public let name: String
    public let value: String
    private let regex: CompiledPattern?

    public init(_ kind: Kind, _ name: String, _ value: String) throws(MatcherError) {
        self.kind = kind
        self.name = name
        self.value = value
        switch kind {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch: regex = try CompiledPattern(value)
        }
    }

    public static func equal(_ name: String, _ value: String) -> Matcher {
        // Equality matchers cannot fail to compile.
        Matcher(unchecked: .equal, name, value)
    }

    private init(unchecked kind: Kind, _ name: String, _ value: String) {
        self.kind = kind
        self.name = name
        self.value = value
        self.regex = nil
    }

    /// Whether a label value satisfies the matcher. A series without the label is
    /// matched as if its value were the empty string.
    public func matches(_ v: String) -> Bool {
        switch kind {
        case .equal: v == value
        case .notEqual: v != value
        case .regexMatch: regex?.matches(v) ?? false
        case .regexNoMatch: !(regex?.matches(v) ?? false)
        }
    }

    /// The literal values this matcher accepts, when it accepts only a known few
    /// (`=` and alternations of literals); lets the index look them up directly.
    public var setMatches: [String]? {
        switch kind {
        case .equal: [value]
        case .regexMatch: regex?.literals
        default: nil
        }
    }

    public var description: String { "\(name)\(kind.rawValue)\"\(LabelText.escape(value))\"" }
}

public struct MatcherError: Error, CustomStringConvertible {
    public let pattern: String
    public let reason: String

    public init(pattern: String, reason: String) {
        self.pattern = pattern
        self.reason = reason
    }

    public var description: String { "invalid regular expression \"\(pattern)\": \(reason)" }
}

/// An anchored pattern with fast paths for the shapes dashboards use most.
struct CompiledPattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable after creation and documented as
    // safe to use from several threads at once.
    private enum Shape {
        case any  // .*
        case nonEmpty  // .+
        case literals(Set<String>)
        case general(NSRegularExpression)
    }

    private let shape: Shape
    let literals: [String]?

    init(_ pattern: String) throws(MatcherError) {
        if pattern == ".*" {
            shape = .any
            literals = nil
        } else if pattern == ".+" {
            shape = .nonEmpty
            literals = nil
        } else if let alternatives = CompiledPattern.literalAlternatives(pattern) {
            shape = .literals(Set(alternatives))
            literals = alternatives
        } else {
            do {
                // \A and \z: ICU's `$` would also match before a final newline, which
                // RE2 (Prometheus) does not.
                let re = try NSRegularExpression(pattern: "\\A(?:" + pattern + ")\\z", options: [.dotMatchesLineSeparators])
                shape = .general(re)
                literals = nil
            } catch {
                throw MatcherError(pattern: pattern, reason: "\(error.localizedDescription)")
            }
        }
    }

    func matches(_ s: String) -> Bool {
        switch shape {
        case .any: return true
        case .nonEmpty: return !s.isEmpty
        case .literals(let set): return set.contains(s)
        case .general(let re):
            let ns = s as NSString
            return re.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) != nil
        }
    }

    /// `a|b|c` where every alternative is plain text: returns the alternatives.
    static func literalAlternatives(_ pattern: String) -> [String]? {
        let special = Set("\\.+*?()[]{}^$|")
        var out: [String] = []
        for part in pattern.split(separator: "|", omittingEmptySubsequences: false) {
            if part.contains(where: { special.contains($0) }) { return nil }
            out.append(String(part))
        }
        return out
    }
}
