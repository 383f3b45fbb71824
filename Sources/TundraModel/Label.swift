/// One label pair of a series, such as `job="node"`.
public struct Label: Sendable, Hashable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool {
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        return lhs.value < rhs.value
    }
}

extension Label: CustomStringConvertible {
    public var description: String { "\(name)=\"\(LabelText.escape(value))\"" }
}

/// Well-known label names.
public enum LabelName {
    /// The label that holds the metric name.
    public static let metric = "__name__"
}

enum LabelText {
    /// Escapes a label value as the text exposition format and PromQL do.
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 4)
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}
