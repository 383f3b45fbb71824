import TundraModel

/// Set operations on sorted, duplicate-free lists of series refs.
enum PostingsList {
    static func intersect(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(min(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(a[i])
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    static func subtract(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        guard !b.isEmpty else { return a }
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count)
        var j = 0
        for x in a {
            while j < b.count && b[j] < x { j += 1 }
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
        return out
    }

    /// Union of many lists: pairwise merging, smallest lists first.
    static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        var queue = lists.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        while queue.count > 1 {
            guard let a = queue.popLast(), let b = queue.popLast() else { break }
            let merged = merge(a, b)
            let at = queue.firstIndex { $0.count <= merged.count } ?? queue.count
            queue.insert(merged, at: at)
        }
        return queue.first ?? []
    }

    static func merge(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                out.append(a[i])
                i += 1
            } else if i == a.count || b[j] < a[i] {
                out.append(b[j])
                j += 1
            } else {
                out.append(a[i])
                i += 1
                j += 1
            }
        }
        return out
    }

    /// Inserts `ref` keeping the list sorted; appending is the common case.
    static func insert(_ ref: SeriesRef, into list: inout [SeriesRef]) {
        if let last = list.last, last >= ref {
            var lo = 0
            var hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid] < ref { lo = mid + 1 } else { hi = mid }
            }
            if lo < list.count && list[lo] == ref { return }
            list.insert(ref, at: lo)
        } else {
            list.append(ref)
        }
    }

    static func remove(_ refs: Set<SeriesRef>, from list: inout [SeriesRef]) {
        list.removeAll { refs.contains($0) }
    }
}
