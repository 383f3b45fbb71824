import TundraModel

/// The `bucket:` section of the config file, in the shape of the Thanos object-store file:
///
/// ```yaml
/// bucket:
///   type: S3                 # or FILESYSTEM
///   config: {bucket: tundra, endpoint: 127.0.0.1:8333, region: us-east-1, insecure: true}
/// ```
///
/// Build it with the memberwise initialisers, or from the raw `type` and `config` scalars
/// with ``init(type:settings:)``, which checks every key and value.
public enum BucketConfig: Sendable, Equatable {
    case filesystem(FilesystemBucketConfig)
    case s3(S3BucketConfig)

    /// The embedded default: a folder at `<data dir>/bucket`.
    public static let embeddedDefault = BucketConfig.filesystem(FilesystemBucketConfig())
}

/// `type: FILESYSTEM`: a folder is the bucket.
public struct FilesystemBucketConfig: Sendable, Equatable {
    /// The folder; nil means `<data dir>/bucket`.
    public var directory: String?

    public init(directory: String? = nil) { self.directory = directory }

    public static let keys: Set<String> = ["directory"]
}

/// How the bucket appears in request URLs.
public enum BucketLookupType: String, Sendable, Equatable {
    /// `http://endpoint/bucket/key`: works with every S3-compatible service.
    case path
    /// `http://bucket.endpoint/key`: what AWS prefers.
    case virtualHost = "virtual-host"
    /// Virtual-host for AWS endpoints (`*.amazonaws.com`), path style for everything else.
    case auto
}

/// `type: S3`. Defaults are the values of ``S3BucketConfig/init(bucket:endpoint:)``.
public struct S3BucketConfig: Sendable, Equatable {
    public var bucket: String
    /// `host[:port]`, no scheme (``insecure`` picks it). Empty means
    /// `s3.<region>.amazonaws.com`.
    public var endpoint: String
    public var region: String = "us-east-1"
    /// Plain HTTP instead of HTTPS.
    public var insecure: Bool = false
    /// When nil, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    public var accessKey: String?
    public var secretKey: String?
    public var sessionToken: String?
    public var bucketLookupType: BucketLookupType = .auto
    /// Files larger than this are uploaded in parts of this size; S3 requires at least
    /// 5 MiB per part (except the last) and at most 10,000 parts.
    public var partSize: Int = 64 << 20
    public var retry: RetryPolicy = .default
    public var connectTimeout: Duration = .seconds(10)
    /// The most one request (one part, one GET) may take from start to end.
    public var requestTimeout: Duration = .seconds(300)
    /// Requests in flight at once, and so the number of connections kept open.
    public var maxConnections: Int = 16
    /// `max-keys` of each ListObjectsV2 page; S3 caps it at 1000.
    public var listPageSize: Int = 1000
    /// A PEM bundle to trust instead of the system's.
    public var caFile: String?
    /// Accept any TLS certificate. For tests against self-signed endpoints only.
    public var insecureSkipVerify: Bool = false

    public init(bucket: String, endpoint: String) {
        self.bucket = bucket
        self.endpoint = endpoint
    }

    public static let keys: Set<String> = [
        "bucket", "endpoint", "region", "insecure", "access_key", "secret_key", "session_token", "bucket_lookup_type",
        "part_size", "max_retries", "retry_base_delay", "retry_max_delay", "connect_timeout", "request_timeout",
        "max_connections", "list_page_size", "ca_file", "insecure_skip_verify",
    ]

    /// Checks the values the initialiser cannot: called by the factory before any request.
    public func validate() throws {
        func bad(_ key: String, _ reason: String) -> ObjectStoreError { .badConfig(key: key, reason: reason) }
        if bucket.isEmpty { throw bad("bucket", "required") }
        if endpoint.contains("://") { throw bad("endpoint", "give host[:port] without a scheme; `insecure: true` selects http") }
        if endpoint.contains("/") { throw bad("endpoint", "give host[:port] without a path") }
        if region.isEmpty { throw bad("region", "must not be empty") }
        if partSize < 5 << 20 { throw bad("part_size", "at least 5 MiB (5242880), S3's smallest part") }
        if partSize > 5 << 30 { throw bad("part_size", "at most 5 GiB, S3's largest part") }
        if retry.maxRetries < 0 { throw bad("max_retries", "must not be negative") }
        if maxConnections < 1 { throw bad("max_connections", "at least 1") }
        if listPageSize < 1 || listPageSize > 1000 { throw bad("list_page_size", "between 1 and 1000") }
        if connectTimeout <= .zero { throw bad("connect_timeout", "must be positive") }
        if requestTimeout <= .zero { throw bad("request_timeout", "must be positive") }
        if (accessKey == nil) != (secretKey == nil) { throw bad(accessKey == nil ? "access_key" : "secret_key", "set both access_key and secret_key, or neither") }
    }
}

extension BucketConfig {
    /// Builds the config from the file's scalars: `type` (`S3` or `FILESYSTEM`, any case)
    /// and the `config` map with every value as written (numbers and booleans as text).
    /// Unknown keys and bad values throw ``ObjectStoreError/badConfig(key:reason:)``.
    public init(type: String, settings: [String: String]) throws {
        switch type.uppercased() {
        case "FILESYSTEM":
            try Self.rejectUnknown(settings, known: FilesystemBucketConfig.keys)
            self = .filesystem(FilesystemBucketConfig(directory: settings["directory"]))
        case "S3":
            try Self.rejectUnknown(settings, known: S3BucketConfig.keys)
            self = .s3(try S3BucketConfig(settings: settings))
        default:
            throw ObjectStoreError.badConfig(key: "type", reason: "\"\(type)\" is not S3 or FILESYSTEM")
        }
    }

    private static func rejectUnknown(_ settings: [String: String], known: Set<String>) throws {
        if let unknown = settings.keys.sorted().first(where: { !known.contains($0) }) {
            throw ObjectStoreError.badConfig(key: unknown, reason: "unknown key")
        }
    }
}

extension S3BucketConfig {
    init(settings s: [String: String]) throws {
        func bad(_ key: String, _ reason: String) -> ObjectStoreError { .badConfig(key: key, reason: reason) }
        func bool(_ key: String) throws -> Bool? {
            guard let v = s[key] else { return nil }
            switch v.lowercased() {
            case "true": return true
            case "false": return false
            default: throw bad(key, "\"\(v)\" is not true or false")
            }
        }
        func int(_ key: String) throws -> Int? {
            guard let v = s[key] else { return nil }
            guard let n = Int(v) else { throw bad(key, "\"\(v)\" is not a whole number") }
            return n
        }
        func duration(_ key: String) throws -> Duration? {
            guard let v = s[key] else { return nil }
            guard let ms = DurationText.milliseconds(v) else { throw bad(key, "\"\(v)\" is not a duration such as 500ms, 10s, 5m") }
            return .milliseconds(ms)
        }
        guard let bucket = s["bucket"], !bucket.isEmpty else { throw bad("bucket", "required") }
        self.init(bucket: bucket, endpoint: s["endpoint"] ?? "")
        if let v = s["region"] { region = v }
        if let v = try bool("insecure") { insecure = v }
        accessKey = s["access_key"]
        secretKey = s["secret_key"]
        sessionToken = s["session_token"]
        if let v = s["bucket_lookup_type"] {
            // Thanos spells it `virtual-hosted`.
            guard let t = BucketLookupType(rawValue: v == "virtual-hosted" ? "virtual-host" : v) else {
                throw bad("bucket_lookup_type", "\"\(v)\" is not path, virtual-host or auto")
            }
            bucketLookupType = t
        }
        if let v = try int("part_size") { partSize = v }
        if let v = try int("max_retries") { retry.maxRetries = v }
        if let v = try duration("retry_base_delay") { retry.baseDelay = v }
        if let v = try duration("retry_max_delay") { retry.maxDelay = v }
        if let v = try duration("connect_timeout") { connectTimeout = v }
        if let v = try duration("request_timeout") { requestTimeout = v }
        if let v = try int("max_connections") { maxConnections = v }
        if let v = try int("list_page_size") { listPageSize = v }
        caFile = s["ca_file"]
        if let v = try bool("insecure_skip_verify") { insecureSkipVerify = v }
        try validate()
    }
}
