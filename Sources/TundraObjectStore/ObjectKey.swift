/// The rules every store applies to keys, so that a key accepted by one store is accepted
/// by all: a bucket can move from a folder to S3 and back.
enum ObjectKey {
    /// Names beginning with this are the filesystem store's files in progress; no key may
    /// use it, so a listing can skip them without hiding real objects.
    static let tempPrefix = ".tundra-tmp-"

    static func validate(_ key: String) throws {
        func bad(_ reason: String) -> ObjectStoreError { .invalidKey(key: key, reason: reason) }
        guard !key.isEmpty else { throw bad("empty") }
        guard key.utf8.count <= 1024 else { throw bad("longer than 1024 bytes") }
        // A folder cannot hold `a//b`, `./a` or `a/..`; S3 could, but then the two stores
        // would disagree about what exists.
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw bad("empty path segment (leading, trailing or double '/')") }
            if segment == "." || segment == ".." { throw bad("'.' and '..' segments are not allowed") }
            if segment.hasPrefix(tempPrefix) { throw bad("segments starting with \(tempPrefix) are reserved") }
        }
        // XML 1.0 cannot carry most control characters, so S3 listings could not name them.
        if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw bad("control characters are not allowed")
        }
    }

    /// S3 orders keys by their UTF-8 bytes; Swift's `<` on String does not.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
