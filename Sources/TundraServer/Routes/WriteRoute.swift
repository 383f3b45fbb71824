import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TundraHead
import TundraIngest

/// `POST /api/v1/write`: Prometheus remote-write 1.0 and 2.0.
///
/// Status codes follow the specifications: 204 when everything was stored; 400 with
/// a readable list when the body is bad or some series or samples were refused (the
/// good ones are stored all the same); 413 past the size limit; 415 for a content
/// type or encoding we do not take; 429 when too many writes are in flight and 503
/// while the WAL is being replayed or cannot be written, both with Retry-After.
struct WriteRoute: Sendable {
    let holder: HeadHolder
    let options: ServerOptions
    let inflight = InflightLimiter()
    let logger: Logger

    static let writtenSamples = HTTPField.Name.literal("X-Prometheus-Remote-Write-Samples-Written")
    static let writtenHistograms = HTTPField.Name.literal("X-Prometheus-Remote-Write-Histograms-Written")
    static let writtenExemplars = HTTPField.Name.literal("X-Prometheus-Remote-Write-Exemplars-Written")

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let head = holder.head else {
            return Self.text(.serviceUnavailable, "starting: the WAL is being replayed", retryAfter: 5)
        }
        let version: RemoteWriteVersion
        switch ContentNegotiation.remoteWrite(
            contentType: request.headers[.contentType], contentEncoding: request.headers[.contentEncoding])
        {
        case .accept(let v): version = v
        case .unsupported(let why): return Self.text(.unsupportedMediaType, why)
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > options.maxRequestBytes {
            return Self.text(.contentTooLarge, "body of \(length) bytes is over the limit of \(options.maxRequestBytes)")
        }
        guard inflight.enter(limit: options.maxInflightWrites) else {
            return Self.text(.tooManyRequests, "too many write requests in flight (\(options.maxInflightWrites)); retry", retryAfter: 1)
        }
        defer { inflight.leave() }

        var req = request
        let buffer: ByteBuffer
        do {
            buffer = try await req.collectBody(upTo: options.maxRequestBytes)
        } catch {
            return Self.text(.contentTooLarge, "body is over the limit of \(options.maxRequestBytes) bytes")
        }
        let body = Array(buffer.readableBytesView)
        let decoder = RemoteWriteDecoder(maxDecompressedBytes: options.maxDecompressedBytes)
        let decoded: DecodedWrite
        do {
            decoded = try decoder.decode(compressed: body, version: version, head: head)
        } catch {
            return Self.text(.badRequest, error.description)
        }
        holder.metadata.merge(decoded.metadata)

        let result: AppendResult
        do {
            let series = decoded.series
            let known = decoded.known
            result = try await NIOThreadPool.singleton.runIfActive { try head.append(series, known: known) }
        } catch {
            logger.error("remote-write: WAL write failed", metadata: ["error": "\(error)"])
            return Self.text(.serviceUnavailable, "cannot write the WAL: \(error)", retryAfter: 5)
        }

        var headers = HTTPFields()
        headers[Self.writtenSamples] = String(result.appended + result.duplicates)
        headers[Self.writtenHistograms] = "0"
        headers[Self.writtenExemplars] = "0"
        var problems: [String] = decoded.invalid.prefix(10).map { "series \($0.labels): \($0.reason)" }
        problems += result.rejections.prefix(10).map(\.description)
        if decoded.histograms > 0 {
            problems.append("\(decoded.histograms) native histogram samples not stored: this version stores float samples only")
        }
        let refused = decoded.invalid.reduce(0) { $0 + $1.samples } + result.rejectedSamples + decoded.histograms
        if refused > 0 {
            let summary = "\(refused) of \(decoded.sampleCount + decoded.invalid.reduce(0) { $0 + $1.samples } + decoded.histograms) samples refused; the rest were stored\n"
            return Self.text(.badRequest, summary + problems.joined(separator: "\n"), headers: headers)
        }
        return Response(status: .noContent, headers: headers)
    }

    static func text(
        _ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil, headers: HTTPFields = HTTPFields()
    ) -> Response {
        var h = headers
        h[.contentType] = "text/plain; charset=utf-8"
        if let retryAfter { h[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// Counts requests in flight against a limit, without waiting.
final class InflightLimiter: Sendable {
    private let count = Atomic<Int>(0)

    func enter(limit: Int) -> Bool {
        let now = count.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() { count.wrappingSubtract(1, ordering: .relaxed) }
}

extension HTTPField.Name {
    /// A header name written in the source; an invalid one is a programming error.
    static func literal(_ name: String) -> HTTPField.Name {
        guard let n = HTTPField.Name(name) else { preconditionFailure("invalid header name literal \(name)") }
        return n
    }
}
