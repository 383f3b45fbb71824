import TundraModel

extension IndexReader {
    /// The series references matching every matcher, with Prometheus' semantics
    /// (`PostingsForMatchers`): a matcher that accepts the empty string also accepts
    /// series without the label, so it is applied by subtraction from the result (or
    /// from every series when no matcher narrows it first).
    func select(_ matchers: [Matcher]) throws(BlockError) -> [UInt32] {
        // Narrowing matchers first: they shrink the set the others work on.
        let narrowing = matchers.filter { !$0.matches("") }
        let widening = matchers.filter { $0.matches("") }
        var result: [UInt32]
        if narrowing.isEmpty {
            result = try allSeries()
        } else {
            result = try matching(narrowing[0])
            for m in narrowing.dropFirst() where !result.isEmpty {
                result = SortedLists.intersect(result, try matching(m))
            }
        }
        for m in widening where !result.isEmpty {
            // Remove the series whose value for the label is one the matcher refuses.
            var excluded: [[UInt32]] = []
            for e in postingsTable[m.name] ?? [] where !m.matches(e.value) { excluded.append(try postings(e)) }
            result = SortedLists.subtract(result, SortedLists.union(excluded))
        }
        return result
    }

    /// The union of the lists of the values `m` accepts.
    private func matching(_ m: Matcher) throws(BlockError) -> [UInt32] {
        var lists: [[UInt32]] = []
        if let literals = m.setMatches {
            for v in literals { if let e = entry(m.name, v) { lists.append(try postings(e)) } }
        } else {
            for e in postingsTable[m.name] ?? [] where m.matches(e.value) { lists.append(try postings(e)) }
        }
        return SortedLists.union(lists)
    }
}
