import CCurl

/// One libcurl easy handle. Reused request after request: `curl_easy_reset` clears the
/// options but keeps the open connection, so consecutive requests to the same endpoint
/// skip the TCP and TLS handshakes. Used by one thread at a time (its ``CurlWorkers``
/// thread).
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        CurlGlobal.initialized
        guard let h = curl_easy_init() else { return nil }
        handle = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    func perform(_ request: HTTPRequest, options: TransportOptions) -> Result<HTTPResponse, ObjectStoreError> {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let sink = ResponseSink()
        var list: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(list) }
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        // libcurl would add `Expect: 100-continue` to large bodies and wait for the interim
        // answer; S3 does not need it and some proxies mishandle it.
        list = curl_slist_append(list, "Expect:")
        let setup: [CURLcode] = [
            tundra_curl_setopt_str(handle, CURLOPT_URL, request.url),
            tundra_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            // Signals cannot be used by a library in a multi-threaded process.
            tundra_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            // The path is signed as sent; curl must not squash `..` or `//` in it.
            tundra_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1),
            tundra_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMS),
            tundra_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, options.requestTimeoutMS),
            tundra_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1),
            tundra_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list),
            tundra_curl_setopt_write(handle, CurlCallbacks.write),
            tundra_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()),
            tundra_curl_setopt_header(handle, CurlCallbacks.header),
            tundra_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(sink).toOpaque()),
        ] + tlsOptions(options) + methodOptions(request.method)
        if let bad = setup.first(where: { $0 != CURLE_OK }) {
            return .failure(transportError(bad, url: request.url))
        }
        let code: CURLcode = request.body.withUnsafeBytes { body in
            if request.method == "PUT" || request.method == "POST" {
                // POSTFIELDS sends the buffer as the body, with its length, for any method
                // set by CUSTOMREQUEST; the buffer stays valid for the whole perform.
                let size = tundra_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                if size != CURLE_OK { return size }
                // A NULL POSTFIELDS would make curl read the body from stdin, so an empty
                // body is given as a copied empty string.
                let data =
                    body.baseAddress.map { tundra_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: $0)) }
                    ?? tundra_curl_setopt_str(handle, CURLOPT_COPYPOSTFIELDS, "")
                if data != CURLE_OK { return data }
            }
            return withExtendedLifetime(sink) { curl_easy_perform(handle) }
        }
        guard code == CURLE_OK else { return .failure(transportError(code, url: request.url)) }
        // libcurl 7.88 takes a connection closed in the middle of the header block as the
        // end of a complete answer, which would make a cut GET look like an empty object.
        guard sink.headersComplete else {
            return .failure(
                .transport(curlCode: Int(CURLE_PARTIAL_FILE.rawValue), message: "connection closed inside the response headers", url: request.url))
        }
        var status = 0
        _ = tundra_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    private func methodOptions(_ method: String) -> [CURLcode] {
        switch method {
        case "GET": return [tundra_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)]
        case "HEAD": return [tundra_curl_setopt_long(handle, CURLOPT_NOBODY, 1)]
        default: return [tundra_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, method)]
        }
    }

    private func tlsOptions(_ options: TransportOptions) -> [CURLcode] {
        var codes: [CURLcode] = []
        if let ca = options.caFile { codes.append(tundra_curl_setopt_str(handle, CURLOPT_CAINFO, ca)) }
        if options.insecureSkipVerify {
            codes.append(tundra_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0))
            codes.append(tundra_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0))
        }
        return codes
    }

    private func transportError(_ code: CURLcode, url: String) -> ObjectStoreError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return .transport(curlCode: Int(code.rawValue), message: message, url: url)
    }
}

private enum CurlGlobal {
    // curl_global_init is not thread-safe and must run before any other call; a static
    // let runs it exactly once. 3 = CURL_GLOBAL_ALL (a macro Swift does not import).
    static let initialized: Void = { _ = curl_global_init(3) }()
}

/// Collects the answer while curl receives it.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    /// The empty line that ends the header block arrived.
    var headersComplete = false

    func header(_ line: String) {
        // A new status line (after `100 Continue` or a redirect) starts a new header block.
        if line.hasPrefix("HTTP/") {
            headers = [:]
            headersComplete = false
            return
        }
        if line == "\r\n" || line == "\n" {
            headersComplete = true
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t", "\r", "\n", "\r\n"])
        headers[name] = value
    }
}

private enum CurlCallbacks {
    static let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let n = size * count
        data.withMemoryRebound(to: UInt8.self, capacity: n) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        return n
    }

    static let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let n = size * count
        let line = data.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
        sink.header(line)
        return n
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
