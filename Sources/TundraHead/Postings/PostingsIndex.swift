import TundraModel

/// The inverted index: label name -> value -> sorted refs of the series that have it.
struct PostingsIndex {
    private(set) var byName: [String: [String: [SeriesRef]]] = [:]
    private(set) var all: [SeriesRef] = []

    mutating func add(_ ref: SeriesRef, _ labels: Labels) {
        SortedLists.insert(ref, into: &all)
        for pair in labels {
            SortedLists.insert(ref, into: &byName[pair.name, default: [:]][pair.value, default: []])
        }
    }

    mutating func remove(_ series: [(SeriesRef, Labels)]) {
        guard !series.isEmpty else { return }
        let refs = Set(series.map(\.0))
        all.removeAll { refs.contains($0) }
        var touched: Set<Label> = []
        for (_, labels) in series { touched.formUnion(labels) }
        for pair in touched {
            byName[pair.name, default: [:]][pair.value, default: []].removeAll { refs.contains($0) }
            if byName[pair.name]?[pair.value]?.isEmpty == true { byName[pair.name]?[pair.value] = nil }
            if byName[pair.name]?.isEmpty == true { byName[pair.name] = nil }
        }
    }

    func postings(_ name: String, _ value: String) -> [SeriesRef] { byName[name]?[value] ?? [] }

    func valueCount(_ name: String) -> Int { byName[name]?.count ?? 0 }

    func has(_ name: String, _ value: String) -> Bool { byName[name]?[value] != nil }

    var names: [String] { byName.keys.sorted() }

    func values(_ name: String) -> [String] { (byName[name]?.keys).map { $0.sorted() } ?? [] }

    /// The series matching every matcher, with Prometheus' semantics: a matcher that
    /// accepts the empty string also accepts series that lack the label.
    func select(_ matchers: [Matcher]) -> [SeriesRef] {
        guard !matchers.isEmpty else { return all }
        var result: [SeriesRef]?
        // Positive matchers narrow fastest; apply them first.
        let ordered = matchers.sorted { !$0.matches("") && $1.matches("") }
        for m in ordered {
            let values = byName[m.name] ?? [:]
            if m.matches("") {
                // Everything except series whose value for this label fails the matcher.
                var excluded: [[SeriesRef]] = []
                for (v, refs) in values where !m.matches(v) { excluded.append(refs) }
                result = SortedLists.subtract(result ?? all, SortedLists.union(excluded))
            } else {
                var included: [[SeriesRef]] = []
                if let set = m.setMatches {
                    for v in set { if let refs = values[v] { included.append(refs) } }
                } else {
                    for (v, refs) in values where m.matches(v) { included.append(refs) }
                }
                let matched = SortedLists.union(included)
                result = result.map { SortedLists.intersect($0, matched) } ?? matched
            }
            if result?.isEmpty == true { return [] }
        }
        return result ?? all
    }
}
