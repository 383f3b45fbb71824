import Foundation

/// Exponential backoff with full jitter: attempt n waits a uniform random time in
/// [0, min(maxDelay, baseDelay * 2^n)]. Jitter spreads the retries of many clients hit by
/// the same outage instead of having them return in lockstep (AWS Architecture Blog,
/// "Exponential Backoff And Jitter", 2015).
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt; 0 turns retrying off.
    public var maxRetries: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public static let `default` = RetryPolicy(maxRetries: 6, baseDelay: .milliseconds(100), maxDelay: .seconds(10))

    public init(maxRetries: Int, baseDelay: Duration, maxDelay: Duration) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// How long to wait before retry number `retry` (0 for the first retry).
    public func delay(beforeRetry retry: Int, using rng: inout some RandomNumberGenerator) -> Duration {
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) * 1e-18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) * 1e-18
        let ceiling = min(cap, base * pow(2, Double(min(retry, 30))))
        guard ceiling > 0 else { return .zero }
        return .nanoseconds(Int64(Double.random(in: 0...ceiling, using: &rng) * 1e9))
    }

    /// Whether an error is worth another attempt: the service was busy or broken, or the
    /// answer never arrived whole. A 4xx other than 429 means the request itself is wrong,
    /// and sending it again would get the same answer.
    public static func isRetryable(_ error: any Error) -> Bool {
        guard let e = error as? ObjectStoreError else { return false }
        switch e {
        case .s3(let r):
            if r.status >= 500 || r.status == 429 { return true }
            // RequestTimeout comes with a 400, and CompleteMultipartUpload reports its
            // errors inside a 200; all of these are about the service, not the request.
            return transientCodes.contains(r.code)
        case .transport(let code, _, _):
            return retryableCurlCodes.contains(code)
        case .truncatedBody:
            return true
        default:
            return false
        }
    }

    private static let transientCodes: Set<String> = ["RequestTimeout", "SlowDown", "InternalError", "ServiceUnavailable"]

    // CURLE_COULDNT_RESOLVE_HOST 6, COULDNT_CONNECT 7, HTTP2 16, PARTIAL_FILE 18,
    // OPERATION_TIMEDOUT 28, SSL_CONNECT_ERROR 35, GOT_NOTHING 52, SEND_ERROR 55,
    // RECV_ERROR 56, HTTP2_STREAM 92, HTTP3 95. Not: bad URL, unsupported protocol,
    // certificate problems, which no retry fixes.
    private static let retryableCurlCodes: Set<Int> = [6, 7, 16, 18, 28, 35, 52, 55, 56, 92, 95]
}
