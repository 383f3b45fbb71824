/// Everything the object stores throw. Each case names the key, URL or config key it is
/// about, so that the `description` alone reads well in a log line.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No object has this key.
    case notFound(key: String)
    /// A conditional write (`ifNoneMatch`) lost: the key already exists.
    case preconditionFailed(key: String)
    /// The range asked for starts at or past the end of the object.
    case rangeNotSatisfiable(key: String, range: Range<Int64>)
    /// The key cannot name an object (empty, `.` or `..` segments, control characters...).
    case invalidKey(key: String, reason: String)
    /// The S3 service answered with an error status.
    case s3(S3ErrorResponse)
    /// The request never got a complete answer: connection refused or dropped, timeout,
    /// TLS failure. `curlCode` is libcurl's `CURLcode`.
    case transport(curlCode: Int, message: String, url: String)
    /// The body ended before the length the response promised: never handed out as data.
    case truncatedBody(url: String, expected: Int64, received: Int64)
    /// A 2xx answer whose body could not be understood.
    case malformedResponse(url: String, reason: String)
    /// A filesystem call failed; `errno` as the C library set it.
    case io(operation: String, path: String, errno: Int32)
    /// The bucket configuration is unusable; `key` is the `bucket.config` key at fault.
    case badConfig(key: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let key): return "object not found: \(key)"
        case .preconditionFailed(let key): return "object already exists (conditional write lost): \(key)"
        case .rangeNotSatisfiable(let key, let range):
            return "range \(range.lowerBound)..<\(range.upperBound) not satisfiable for \(key)"
        case .invalidKey(let key, let reason): return "invalid object key \(quoted(key)): \(reason)"
        case .s3(let e): return e.description
        case .transport(let code, let message, let url): return "transport error (curl \(code)) on \(url): \(message)"
        case .truncatedBody(let url, let expected, let received):
            return "body cut short on \(url): got \(received) of \(expected) bytes"
        case .malformedResponse(let url, let reason): return "malformed response from \(url): \(reason)"
        case .io(let operation, let path, let errno): return "\(operation) \(path): \(errnoText(errno)) (errno \(errno))"
        case .badConfig(let key, let reason): return "bucket config: \(key): \(reason)"
        }
    }
}

/// An S3 error answer: the HTTP status plus the fields of its XML `<Error>` body.
public struct S3ErrorResponse: Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    /// `<Code>`, such as `NoSuchKey`, `SignatureDoesNotMatch`, `SlowDown`; empty when the
    /// answer had no XML body (HEAD answers never do).
    public var code: String
    public var message: String
    /// The object key the request was about (from `<Key>`, else from the request).
    public var key: String
    public var requestID: String
    public var method: String
    public var url: String

    public init(status: Int, code: String, message: String, key: String, requestID: String, method: String, url: String) {
        self.status = status
        self.code = code
        self.message = message
        self.key = key
        self.requestID = requestID
        self.method = method
        self.url = url
    }

    public var description: String {
        var s = "S3 \(method) \(url): HTTP \(status)"
        if !code.isEmpty { s += " \(code)" }
        if !message.isEmpty { s += ": \(message)" }
        if !key.isEmpty { s += " (key \(quoted(key))" + (requestID.isEmpty ? ")" : ", request id \(requestID))") }
        else if !requestID.isEmpty { s += " (request id \(requestID))" }
        return s
    }
}

private func quoted(_ s: String) -> String { "\"" + s + "\"" }
