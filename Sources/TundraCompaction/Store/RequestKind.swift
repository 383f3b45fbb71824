/// The kinds of object-store request S3 bills separately. LIST costs about twelve times
/// a GET on AWS, which is why the compactor reports them apart.
public enum RequestKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case list = "LIST"
    case get = "GET"
    case put = "PUT"
    case head = "HEAD"
    case delete = "DELETE"

    public var description: String { rawValue }
}

/// Requests made through a ``CountingObjectStore``, by kind.
public struct RequestCounts: Sendable, Equatable, CustomStringConvertible {
    private var counts: [RequestKind: Int] = [:]

    public init() {}

    public subscript(kind: RequestKind) -> Int {
        get { counts[kind] ?? 0 }
        // Zero is stored as absent, so that equal counts compare equal however made.
        set { counts[kind] = newValue == 0 ? nil : newValue }
    }

    public var total: Int { counts.values.reduce(0, +) }

    /// `LIST 1, GET 12, PUT 1, HEAD 0, DELETE 0`: every kind, always in that order, so
    /// log lines of successive passes line up.
    public var description: String {
        RequestKind.allCases.map { "\($0) \(self[$0])" }.joined(separator: ", ")
    }

    public static func - (a: RequestCounts, b: RequestCounts) -> RequestCounts {
        var d = RequestCounts()
        for kind in RequestKind.allCases { d[kind] = a[kind] - b[kind] }
        return d
    }
}
