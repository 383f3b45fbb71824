import Testing
import TundraTestSupport

@testable import TundraObjectStore

@Suite struct RetryPolicyTests {
    @Test func delaysAreFullJitterUnderAnExponentialCap() {
        let policy = RetryPolicy(maxRetries: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        var rng = SeededRandom(seed: 42)
        for retry in 0..<10 {
            let cap = min(Duration.seconds(2), .milliseconds(100 * (1 << retry)))
            var longest = Duration.zero
            for _ in 0..<200 {
                let d = policy.delay(beforeRetry: retry, using: &rng)
                #expect(d >= .zero && d <= cap, "retry \(retry): \(d) > \(cap) (seed 42)")
                longest = max(longest, d)
            }
            // Full jitter spreads over the whole interval, not just near its top or bottom.
            #expect(longest > cap / 2, "retry \(retry)")
        }
    }

    static func s3(_ status: Int, _ code: String = "") -> ObjectStoreError {
        .s3(S3ErrorResponse(status: status, code: code, message: "", key: "", requestID: "", method: "GET", url: "u"))
    }

    @Test(arguments: [
        (s3(500, "InternalError"), true), (s3(503, "SlowDown"), true), (s3(429), true), (s3(502), true),
        (s3(400, "RequestTimeout"), true), (s3(200, "InternalError"), true),
        (s3(403, "SignatureDoesNotMatch"), false), (s3(403, "InvalidAccessKeyId"), false), (s3(400, "InvalidArgument"), false),
        (s3(404, "NoSuchBucket"), false), (.notFound(key: "k"), false), (.preconditionFailed(key: "k"), false),
        (.transport(curlCode: 28, message: "timeout", url: "u"), true), (.transport(curlCode: 56, message: "recv", url: "u"), true),
        (.transport(curlCode: 18, message: "partial", url: "u"), true), (.transport(curlCode: 52, message: "empty", url: "u"), true),
        (.transport(curlCode: 3, message: "bad url", url: "u"), false), (.transport(curlCode: 60, message: "cert", url: "u"), false),
        (.truncatedBody(url: "u", expected: 10, received: 5), true), (.badConfig(key: "k", reason: "r"), false),
    ] as [(ObjectStoreError, Bool)])
    func retryableErrors(error: ObjectStoreError, retryable: Bool) {
        #expect(RetryPolicy.isRetryable(error) == retryable, "\(error)")
    }
}
