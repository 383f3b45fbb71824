import Foundation
import TundraModel

/// One `metric_relabel_configs` rule, applied to each scraped series before it is
/// stored, with Prometheus' semantics for the actions supported here.
public struct RelabelRule: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case replace, keep, drop, labeldrop, labelkeep
    }

    public var action: Action = .replace
    public var sourceLabels: [String] = []
    public var separator = ";"
    public var regex: String = "(.*)"
    public var targetLabel: String = ""
    public var replacement: String = "$1"
    private let compiled: AnchoredRegex

    public init(
        action: Action = .replace, sourceLabels: [String] = [], separator: String = ";", regex: String = "(.*)",
        targetLabel: String = "", replacement: String = "$1"
    ) throws(MatcherError) {
        self.action = action
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.regex = regex
        self.targetLabel = targetLabel
        self.replacement = replacement
        self.compiled = try AnchoredRegex(regex)
    }

    public static func == (l: RelabelRule, r: RelabelRule) -> Bool {
        l.action == r.action && l.sourceLabels == r.sourceLabels && l.separator == r.separator && l.regex == r.regex
            && l.targetLabel == r.targetLabel && l.replacement == r.replacement
    }

    /// Applies the rules in order; nil when a rule drops the series.
    public static func apply(_ rules: [RelabelRule], to labels: [Label]) -> [Label]? {
        var current = labels
        for rule in rules {
            guard let next = rule.apply(current) else { return nil }
            current = next
        }
        return current
    }

    func apply(_ labels: [Label]) -> [Label]? {
        switch action {
        case .keep, .drop:
            let matched = compiled.matches(joinedSource(labels))
            return (matched == (action == .keep)) ? labels : nil
        case .labeldrop:
            return labels.filter { !compiled.matches($0.name) }
        case .labelkeep:
            return labels.filter { $0.name == LabelName.metric || compiled.matches($0.name) }
        case .replace:
            let value = joinedSource(labels)
            guard let replaced = compiled.replace(value, template: replacement) else { return labels }
            let target = compiled.replace(value, template: targetLabel) ?? targetLabel
            guard LabelValidation.isValidName(target) else { return labels }
            var out = labels.filter { $0.name != target }
            if !replaced.isEmpty { out.append(Label(target, replaced)) }
            return out
        }
    }

    private func joinedSource(_ labels: [Label]) -> String {
        sourceLabels.map { name in labels.first { $0.name == name }?.value ?? "" }.joined(separator: separator)
    }
}

/// An anchored regex with `$1`-style expansion, as relabelling uses it.
struct AnchoredRegex: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable and safe to share between threads.
    let re: NSRegularExpression

    init(_ pattern: String) throws(MatcherError) {
        do {
            re = try NSRegularExpression(pattern: "\\A(?:" + pattern + ")\\z", options: [.dotMatchesLineSeparators])
        } catch {
            throw MatcherError(pattern: pattern, reason: error.localizedDescription)
        }
    }

    func matches(_ s: String) -> Bool {
        re.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil
    }

    /// The template with `$n` / `${n}` filled from the match, or nil when no match.
    func replace(_ s: String, template: String) -> String? {
        let range = NSRange(location: 0, length: (s as NSString).length)
        guard let m = re.firstMatch(in: s, range: range) else { return nil }
        // NSRegularExpression templates know `$1` but not `${1}`.
        var t = template
        while let open = t.range(of: "${"), let close = t.range(of: "}", range: open.upperBound..<t.endIndex) {
            t.replaceSubrange(open.lowerBound..<close.upperBound, with: "$" + t[open.upperBound..<close.lowerBound])
        }
        return re.replacementString(for: m, in: s, offset: 0, template: t)
    }
}
