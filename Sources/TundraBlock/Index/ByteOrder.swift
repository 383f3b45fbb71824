import TundraModel

/// Orders strings and label sets by their UTF-8 bytes, as Go compares strings.
///
/// The index needs Prometheus' order exactly (sorted symbols, series sorted by
/// `labels.Compare`, postings sorted by name and value). Swift's `String` comparison
/// and equality follow Unicode canonical equivalence instead, which differs for text
/// that is not in NFC ("é" as one scalar or as "e" plus a combining accent compare
/// equal in Swift, different in Go), so block code never relies on it.
public enum ByteOrder {
    @inline(__always)
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    @inline(__always)
    static func equal(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    /// Prometheus `labels.Compare`: pair by pair, name before value, then the
    /// shorter set first. Negative, zero or positive.
    public static func compare(_ a: Labels, _ b: Labels) -> Int {
        for (l, r) in zip(a, b) {
            if !equal(l.name, r.name) { return precedes(l.name, r.name) ? -1 : 1 }
            if !equal(l.value, r.value) { return precedes(l.value, r.value) ? -1 : 1 }
        }
        return a.count - b.count
    }

    /// Whether `a` sorts before `b` in the index's series order.
    public static func precedes(_ a: Labels, _ b: Labels) -> Bool { compare(a, b) < 0 }
}

/// A string hashed and compared by its bytes, for symbol tables.
struct ByteString: Hashable {
    let value: String

    init(_ value: String) { self.value = value }

    static func == (a: ByteString, b: ByteString) -> Bool { ByteOrder.equal(a.value, b.value) }

    func hash(into hasher: inout Hasher) {
        var s = value
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
