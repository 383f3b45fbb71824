/// Set operations on sorted, duplicate-free arrays: the postings of the head's index
/// and of a block's index are such lists of series references.
public enum SortedLists {
    @inlinable
    public static func intersect<T: Comparable>(_ a: [T], _ b: [T]) -> [T] {
        var out: [T] = []
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

    /// Elements of `a` that are not in `b`.
    @inlinable
    public static func subtract<T: Comparable>(_ a: [T], _ b: [T]) -> [T] {
        guard !b.isEmpty else { return a }
        var out: [T] = []
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
    @inlinable
    public static func union<T: Comparable>(_ lists: [[T]]) -> [T] {
        var queue = lists.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        while queue.count > 1 {
            guard let a = queue.popLast(), let b = queue.popLast() else { break }
            let merged = merge(a, b)
            let at = queue.firstIndex { $0.count <= merged.count } ?? queue.count
            queue.insert(merged, at: at)
        }
        return queue.first ?? []
    }

    @inlinable
    public static func merge<T: Comparable>(_ a: [T], _ b: [T]) -> [T] {
        var out: [T] = []
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

    /// Inserts `x` keeping the list sorted; appending is the common case.
    @inlinable
    public static func insert<T: Comparable>(_ x: T, into list: inout [T]) {
        if let last = list.last, last >= x {
            var lo = 0
            var hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid] < x { lo = mid + 1 } else { hi = mid }
            }
            if lo < list.count && list[lo] == x { return }
            list.insert(x, at: lo)
        } else {
            list.append(x)
        }
    }
}
