/// Where requests for one bucket go, and how their URLs and canonical paths are spelled.
struct S3Endpoint: Sendable, Equatable {
    var scheme: String
    /// The `Host` header, and the authority of every URL.
    var host: String
    /// Path style puts the bucket in the path; virtual-host style in the host name.
    var pathStyle: Bool
    var bucket: String

    init(_ config: S3BucketConfig) {
        scheme = config.insecure ? "http" : "https"
        let endpoint = config.endpoint.isEmpty ? "s3.\(config.region).amazonaws.com" : config.endpoint
        bucket = config.bucket
        switch config.bucketLookupType {
        case .path: pathStyle = true
        case .virtualHost: pathStyle = false
        case .auto:
            // Only AWS is sure to resolve `<bucket>.<endpoint>`. A bucket name with dots
            // would not match AWS's wildcard certificate.
            let hostOnly = endpoint.split(separator: ":").first.map(String.init) ?? endpoint
            pathStyle = !hostOnly.hasSuffix("amazonaws.com") || config.bucket.contains(".")
        }
        host = pathStyle ? endpoint : config.bucket + "." + endpoint
    }

    /// The encoded path for a key (nil: the bucket itself). It is both what is sent and
    /// the canonical URI that is signed, so the two cannot disagree.
    func path(_ key: String?) -> String {
        let encodedKey = key.map { "/" + SigV4.uriEncode($0, keepSlash: true) }
        if pathStyle { return "/" + SigV4.uriEncode(bucket, keepSlash: false) + (encodedKey ?? "") }
        return encodedKey ?? "/"
    }

    func url(path: String, query: [(String, String)]) -> String {
        let q = SigV4.canonicalQuery(query)
        return scheme + "://" + host + path + (q.isEmpty ? "" : "?" + q)
    }
}
