/// The identity of a series: its label pairs, sorted by name, names unique.
///
/// Build one with ``init(validating:)`` from untrusted input, or with
/// ``init(sorted:)`` when the pairs are known to be valid and sorted (the WAL and
/// block readers, which wrote them themselves).
public struct Labels: Sendable, Hashable, Comparable, RandomAccessCollection {
    public private(set) var pairs: [Label]

    public init() { pairs = [] }

    /// Takes pairs that are already sorted by name, with unique names and no empty value.
    public init(sorted pairs: [Label]) { self.pairs = pairs }

    /// Sorts and checks the pairs: names must be valid Prometheus label names and
    /// unique; pairs with an empty value are dropped, since Prometheus treats an empty
    /// value as an absent label.
    public init(validating pairs: [Label]) throws(LabelError) {
        // Names are checked before empty values are dropped: a bad name is a bad
        // request whatever its value.
        var sorted = pairs
        if !sorted.isSorted() { sorted.sort { $0.name < $1.name } }
        for (i, pair) in sorted.enumerated() {
            guard LabelValidation.isValidName(pair.name) else {
                throw .invalidName(pair.name)
            }
            if i > 0 && sorted[i - 1].name == pair.name {
                throw .duplicateName(pair.name)
            }
        }
        if sorted.contains(where: { $0.value.isEmpty }) { sorted.removeAll { $0.value.isEmpty } }
        self.pairs = sorted
    }

    /// Convenience for tests and literals: `Labels(["__name__": "up"])`.
    public init(_ dict: [String: String]) {
        pairs = dict.filter { !$0.value.isEmpty }.map { Label($0.key, $0.value) }.sorted { $0.name < $1.name }
    }

    public var startIndex: Int { pairs.startIndex }
    public var endIndex: Int { pairs.endIndex }
    public subscript(position: Int) -> Label { pairs[position] }

    /// The value of the label `name`, or nil when the series has no such label.
    public subscript(name: String) -> String? {
        // Series have few labels; a linear scan beats a binary search here.
        for pair in pairs where pair.name == name { return pair.value }
        return nil
    }

    /// The metric name, or nil.
    public var metricName: String? { self[LabelName.metric] }

    /// A stable 64-bit hash of the pairs: the same in every process and version, so
    /// it can be used to shard. See ``LabelsHash``.
    public var stableHash: UInt64 {
        var h = LabelsHash.seed
        for pair in pairs {
            LabelsHash.add(pair.name, to: &h)
            LabelsHash.add(pair.value, to: &h)
        }
        return LabelsHash.finish(h)
    }

    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        for (l, r) in zip(lhs.pairs, rhs.pairs) where l != r {
            return l < r
        }
        return lhs.pairs.count < rhs.pairs.count
    }
}

extension Labels: CustomStringConvertible {
    /// `name{a="b", c="d"}` as Prometheus prints a series.
    public var description: String {
        let name = metricName ?? ""
        let rest = pairs.filter { $0.name != LabelName.metric }
        if rest.isEmpty && !name.isEmpty { return name }
        return name + "{" + rest.map(\.description).joined(separator: ", ") + "}"
    }
}

/// Why a label set was refused.
public enum LabelError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case duplicateName(String)
    case missingMetricName
    case invalidMetricName(String)

    public var description: String {
        switch self {
        case .invalidName(let n): "invalid label name \"\(LabelText.escape(n))\": must match [a-zA-Z_][a-zA-Z0-9_]*"
        case .duplicateName(let n): "duplicate label name \"\(n)\""
        case .missingMetricName: "series has no metric name (label __name__)"
        case .invalidMetricName(let n): "invalid metric name \"\(LabelText.escape(n))\": must match [a-zA-Z_:][a-zA-Z0-9_:]*"
        }
    }
}

public enum LabelValidation {
    /// `[a-zA-Z_][a-zA-Z0-9_]*`, as Prometheus requires of label names.
    public static func isValidName(_ name: String) -> Bool {
        var first = true
        for c in name.utf8 {
            let ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || (!first && c >= 0x30 && c <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, as Prometheus requires of metric names.
    public static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for c in name.utf8 {
            let ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || c == 0x3a
                || (!first && c >= 0x30 && c <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Checks what ingest requires beyond ``Labels/init(validating:)``: a valid metric name.
    public static func checkSeries(_ labels: Labels) throws(LabelError) {
        guard let name = labels.metricName else { throw .missingMetricName }
        guard isValidMetricName(name) else { throw .invalidMetricName(name) }
    }
}

extension Array where Element == Label {
    /// Senders nearly always send labels sorted; checking is cheaper than sorting.
    func isSorted() -> Bool {
        var i = 1
        while i < count {
            if self[i].name < self[i - 1].name { return false }
            i += 1
        }
        return true
    }
}
