/// S3's prefix/delimiter semantics over a sorted list of objects: a key holding the
/// delimiter after the prefix is replaced by the common prefix ending at that delimiter,
/// once. The filesystem store uses it on a full walk; S3 does it on the server.
enum ListingRollup {
    static func apply(_ sorted: [ObjectInfo], prefix: String, delimiter: String?) -> ObjectListing {
        guard let delimiter, !delimiter.isEmpty else { return ObjectListing(objects: sorted) }
        var out = ObjectListing()
        let prefixBytes = prefix.utf8.count
        for object in sorted {
            let rest = Array(object.key.utf8.dropFirst(prefixBytes))
            if let r = firstRange(of: Array(delimiter.utf8), in: rest) {
                let common = String(decoding: Array(prefix.utf8) + rest[..<r.upperBound], as: UTF8.self)
                if out.commonPrefixes.last != common { out.commonPrefixes.append(common) }
            } else {
                out.objects.append(object)
            }
        }
        return out
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i..<(i + needle.count)
        }
        return nil
    }
}
