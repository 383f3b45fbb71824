/// One HTTP request as the S3 client builds it, and the answer libcurl got. Plain values:
/// the curl layer below and the S3 logic above only meet here.
struct HTTPRequest: Sendable {
    var method: String
    var url: String
    /// Sent as given, in order; the `Host` header among them is the one that was signed.
    var headers: [(String, String)]
    var body: [UInt8] = []
}

struct HTTPResponse: Sendable {
    var status: Int
    /// Names lower-cased; the last value wins for a repeated name.
    var headers: [String: String]
    var body: [UInt8]
}

/// Transport settings shared by every request of one store.
struct TransportOptions: Sendable {
    var connectTimeoutMS: Int
    var requestTimeoutMS: Int
    var caFile: String?
    var insecureSkipVerify: Bool
}
