import TundraHead
import TundraObjectStore

/// Everything `tundra serve` needs; every default is named here and documented in
/// docs/configuration.md.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 9470
    public var dataDirectory = "./data"
    public var head = HeadOptions()
    /// Largest remote-write body accepted, compressed (413 past it).
    public var maxRequestBytes = 32 << 20
    /// Largest body after snappy decompression (400 past it).
    public var maxDecompressedBytes = 128 << 20
    /// Write requests handled at once; more get 429 with Retry-After.
    public var maxInflightWrites = 64
    /// How often Tundra appends its own metrics to its head (ms); 0 turns it off.
    public var selfMonitorIntervalMs: Int64 = 15_000
    /// Serve HTTPS with this certificate and key (PEM), when set.
    public var tls: TLSFiles?
    /// Credentials required on the write route, when set.
    public var writeAuth: AuthConfig?
    /// Credentials required on the read routes (API, metadata), when set.
    public var readAuth: AuthConfig?

    /// Where blocks are shipped; by default a folder under the data directory.
    public var bucket = BucketConfig.embeddedDefault
    /// How often the head is checked for a range to cut and blocks to ship (ms).
    public var blockCheckIntervalMs: Int64 = 15_000
    /// How long a local block stays after its upload is confirmed (ms); nil keeps it.
    public var localBlockRetentionMs: Int64? = 2 * 60 * 60 * 1000

    public init() {}

    public var walDirectory: String { dataDirectory + "/wal" }
    public var blocksDirectory: String { dataDirectory + "/blocks" }
}

public struct TLSFiles: Sendable, Equatable {
    public var certFile: String
    public var keyFile: String

    public init(certFile: String, keyFile: String) {
        self.certFile = certFile
        self.keyFile = keyFile
    }
}

/// Where the accepted credentials of a route group are kept.
public struct AuthConfig: Sendable, Equatable {
    /// Lines of `user:password`; `#` starts a comment.
    public var basicAuthUsersFile: String?
    /// One token per line; `#` starts a comment.
    public var bearerTokensFile: String?

    public init(basicAuthUsersFile: String?, bearerTokensFile: String?) {
        self.basicAuthUsersFile = basicAuthUsersFile
        self.bearerTokensFile = bearerTokensFile
    }
}
