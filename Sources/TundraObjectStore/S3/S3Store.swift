import Foundation
import Logging
import Synchronization

/// An S3 bucket over libcurl, for any S3-compatible service (AWS, MinIO, SeaweedFS, Ceph).
///
/// Requests are signed with SigV4 (``SigV4``), run on a small pool of threads with kept-alive
/// connections (``CurlWorkers``), and retried with exponential backoff and full jitter
/// (``RetryPolicy``) when the service is busy or failing (5xx, 429, SlowDown), the request
/// timed out, or the connection dropped or a body came short. A retried upload sends its
/// whole body again.
public final class S3Store: ObjectStore {
    public let config: S3BucketConfig
    let endpoint: S3Endpoint
    let signer: SigV4
    let logger: Logger
    private let workers: CurlWorkers
    private let transport: TransportOptions
    private let requests = Atomic<Int>(0)
    private let retries = Atomic<Int>(0)

    /// Requests sent, each attempt counted.
    public var requestCount: Int { requests.load(ordering: .relaxed) }
    /// Attempts that were a retry of a failed one.
    public var retryCount: Int { retries.load(ordering: .relaxed) }

    public init(config: S3BucketConfig, logger: Logger) throws {
        try config.validate()
        guard let accessKey = config.accessKey, let secretKey = config.secretKey, !accessKey.isEmpty else {
            throw ObjectStoreError.badConfig(
                key: "access_key", reason: "no credentials: set access_key and secret_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        self.config = config
        self.logger = logger
        endpoint = S3Endpoint(config)
        signer = SigV4(credentials: .init(accessKey: accessKey, secretKey: secretKey, sessionToken: config.sessionToken), region: config.region)
        workers = CurlWorkers(limit: config.maxConnections, name: "tundra-s3")
        transport = TransportOptions(
            connectTimeoutMS: Self.milliseconds(config.connectTimeout), requestTimeoutMS: Self.milliseconds(config.requestTimeout),
            caFile: config.caFile, insecureSkipVerify: config.insecureSkipVerify)
    }

    deinit { workers.shutdown() }

    private static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
    }

    // MARK: - ObjectStore

    public func put(_ key: String, bytes: [UInt8], ifNoneMatch: Bool) async throws {
        try ObjectKey.validate(key)
        var headers = [("Content-Type", "application/octet-stream")]
        if ifNoneMatch { headers.append(("If-None-Match", "*")) }
        var retriedFailure: (@Sendable (ObjectStoreError) async throws -> Bool)? = nil
        if ifNoneMatch {
            // The first attempt may have written the object and lost only its answer; then
            // the retry finds "our" object. Identical bytes mean it is ours.
            retriedFailure = { error in
                guard case .preconditionFailed = error else { return false }
                return try await self.get(key) == bytes
            }
        }
        _ = try await send("PUT", key: key, headers: headers, body: bytes, retriedFailure: retriedFailure)
    }

    public func get(_ key: String) async throws -> [UInt8] {
        try ObjectKey.validate(key)
        return try await send("GET", key: key).body
    }

    public func get(_ key: String, range: Range<Int64>) async throws -> [UInt8] {
        try ObjectKey.validate(key)
        guard range.lowerBound >= 0 else { throw ObjectStoreError.rangeNotSatisfiable(key: key, range: range) }
        if range.isEmpty { return [] }
        let response: HTTPResponse
        do {
            response = try await send("GET", key: key, headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")])
        } catch ObjectStoreError.s3(let e) where e.status == 416 {
            throw ObjectStoreError.rangeNotSatisfiable(key: key, range: range)
        }
        if response.status == 206 {
            try checkContentRange(response, range: range, key: key)
            return response.body
        }
        // A service that ignores Range sends the whole object with 200.
        let end = min(Int64(response.body.count), range.upperBound)
        guard range.lowerBound < end else { throw ObjectStoreError.rangeNotSatisfiable(key: key, range: range) }
        return Array(response.body[Int(range.lowerBound)..<Int(end)])
    }

    private func checkContentRange(_ response: HTTPResponse, range: Range<Int64>, key: String) throws {
        // `Content-Range: bytes 0-9/1234`
        guard let value = response.headers["content-range"], value.hasPrefix("bytes ") else { return }
        let parts = value.dropFirst(6).split(whereSeparator: { $0 == "-" || $0 == "/" })
        guard parts.count >= 2, let first = Int64(parts[0]), let last = Int64(parts[1]) else { return }
        let url = endpoint.url(path: endpoint.path(key), query: [])
        guard first == range.lowerBound, last < range.upperBound else {
            throw ObjectStoreError.malformedResponse(url: url, reason: "asked for bytes \(range), got Content-Range \(value)")
        }
        if Int64(response.body.count) != last - first + 1 {
            throw ObjectStoreError.truncatedBody(url: url, expected: last - first + 1, received: Int64(response.body.count))
        }
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        try ObjectKey.validate(key)
        let response: HTTPResponse
        do {
            response = try await send("HEAD", key: key)
        } catch ObjectStoreError.notFound {
            return nil
        }
        return ObjectInfo(
            key: key, size: Int64(response.headers["content-length"] ?? "") ?? 0,
            etag: S3Responses.unquote(response.headers["etag"] ?? ""),
            lastModified: response.headers["last-modified"].flatMap(S3Responses.parseHTTPDate) ?? Date(timeIntervalSince1970: 0))
    }

    public func list(prefix: String, delimiter: String?) async throws -> ObjectListing {
        var out = ObjectListing()
        var token: String? = nil
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(config.listPageSize))]
            if let delimiter, !delimiter.isEmpty { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", key: nil, query: query)
            let page = try S3Responses.listPage(response.body, url: endpoint.url(path: endpoint.path(nil), query: query))
            out.objects += page.objects
            out.commonPrefixes += page.commonPrefixes
            token = page.nextContinuationToken
        } while token != nil
        // S3 returns byte order already; SeaweedFS lists folder by folder (`a/1` before
        // `a-x`), so the order promised by the protocol is restored here.
        out.objects.sort { ObjectKey.precedes($0.key, $1.key) }
        out.commonPrefixes = Array(Set(out.commonPrefixes)).sorted(by: ObjectKey.precedes)
        return out
    }

    public func delete(_ key: String) async throws {
        try ObjectKey.validate(key)
        do {
            _ = try await send("DELETE", key: key)
        } catch ObjectStoreError.notFound {
            // Already gone: what the caller wanted.
        }
    }

    /// Creates the bucket; one that exists and is ours already is fine.
    public func createBucket() async throws {
        do {
            _ = try await send("PUT", key: nil)
        } catch ObjectStoreError.s3(let e) where e.code == "BucketAlreadyOwnedByYou" || e.code == "BucketAlreadyExists" {
        }
    }

    // MARK: - Requests

    /// Sends a signed request, retrying per ``RetryPolicy``, and returns a 2xx answer with
    /// its body checked against `Content-Length`. Error answers become
    /// ``ObjectStoreError``: 404 on a key is ``ObjectStoreError/notFound(key:)``, 412
    /// ``ObjectStoreError/preconditionFailed(key:)``, the rest ``ObjectStoreError/s3(_:)``.
    ///
    /// `retriedFailure` is asked about a final error that followed a retry: when it says
    /// the error only shows that an earlier attempt succeeded, the request counts as done.
    func send(
        _ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [], body: [UInt8] = [],
        retriedFailure: (@Sendable (ObjectStoreError) async throws -> Bool)? = nil
    ) async throws -> HTTPResponse {
        let path = endpoint.path(key)
        let url = endpoint.url(path: path, query: query)
        // Hashed once: a retry sends the same bytes.
        let payloadHash = body.isEmpty ? SigV4.emptyPayloadHash : Digest.sha256Hex(body)
        var rng = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            let (signedHeaders, _) = signer.signS3(
                method: method, canonicalURI: path, query: query, headers: [("Host", endpoint.host)] + headers,
                payloadHash: payloadHash, date: Date())
            let request = HTTPRequest(method: method, url: url, headers: signedHeaders, body: body)
            requests.add(1, ordering: .relaxed)
            let error: ObjectStoreError
            switch await workers.perform(request, options: transport) {
            case .success(let response):
                do {
                    return try check(response, method: method, url: url, key: key)
                } catch let e as ObjectStoreError {
                    error = e
                }
            case .failure(let e):
                error = e
            }
            if attempt < config.retry.maxRetries && RetryPolicy.isRetryable(error) {
                let delay = config.retry.delay(beforeRetry: attempt, using: &rng)
                attempt += 1
                retries.add(1, ordering: .relaxed)
                logger.info(
                    "retrying S3 request",
                    metadata: ["method": "\(method)", "url": "\(url)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)"])
                try await Task.sleep(for: delay)
                continue
            }
            if attempt > 0, let retriedFailure, try await retriedFailure(error) {
                logger.info(
                    "S3 request succeeded on an earlier attempt whose answer was lost",
                    metadata: ["method": "\(method)", "url": "\(url)", "error": "\(error)"])
                return HTTPResponse(status: 200, headers: [:], body: [])
            }
            throw error
        }
    }

    private func check(_ response: HTTPResponse, method: String, url: String, key: String?) throws -> HTTPResponse {
        if (200..<300).contains(response.status) {
            if method != "HEAD", let promised = response.headers["content-length"].flatMap(Int64.init),
                promised != Int64(response.body.count)
            {
                throw ObjectStoreError.truncatedBody(url: url, expected: promised, received: Int64(response.body.count))
            }
            // CompleteMultipartUpload can fail after its 200 was sent; the error is the body.
            if method == "POST", let e = S3Responses.error(response.body) {
                throw ObjectStoreError.s3(
                    S3ErrorResponse(
                        status: response.status, code: e.code, message: e.message, key: e.key ?? key ?? "",
                        requestID: e.requestID ?? response.headers["x-amz-request-id"] ?? "", method: method, url: url))
            }
            return response
        }
        let parsed = S3Responses.error(response.body)
        let error = S3ErrorResponse(
            status: response.status, code: parsed?.code ?? "", message: parsed?.message ?? "", key: parsed?.key ?? key ?? "",
            requestID: parsed?.requestID ?? response.headers["x-amz-request-id"] ?? "", method: method, url: url)
        if let key, response.status == 404, error.code.isEmpty || error.code == "NoSuchKey" {
            throw ObjectStoreError.notFound(key: key)
        }
        if let key, response.status == 412 { throw ObjectStoreError.preconditionFailed(key: key) }
        throw ObjectStoreError.s3(error)
    }
}
