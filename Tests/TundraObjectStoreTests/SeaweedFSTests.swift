import Foundation
import Logging
import Testing
import TundraObjectStore
import TundraTestSupport

/// The S3 store against a real SeaweedFS with SigV4 authentication on.
@Suite struct SeaweedFSTests {
    static func config(_ weed: SeaweedFSProcess, endpoint: String? = nil) -> S3BucketConfig {
        var c = S3BucketConfig(bucket: weed.bucket, endpoint: endpoint ?? weed.endpoint)
        c.insecure = true
        c.region = weed.region
        c.accessKey = weed.accessKey
        c.secretKey = weed.secretKey
        c.bucketLookupType = .path
        c.partSize = 5 << 20
        // Small pages, so that listings of a few hundred keys take several requests.
        c.listPageSize = 250
        c.retry = RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        c.requestTimeout = .seconds(30)
        return c
    }

    @Test func conformance() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let scratch = try TempDir("objstore-s3")
        defer { scratch.remove() }
        let store = try S3Store(config: Self.config(weed), logger: Logger(label: "test"))
        for check in ConformanceCheck.allCases {
            do {
                try await check.run(store, scratch: scratch)
            } catch {
                Issue.record("\(check.rawValue): \(error)")
            }
        }
        // Nothing failed on the way, so nothing was retried either.
        #expect(store.retryCount == 0, "\(weed.log.suffix(2000))")

        // A wrong secret is refused with the service's code and message, the key and the request id.
        var wrong = Self.config(weed)
        wrong.secretKey = "not-the-secret"
        let denied = try S3Store(config: wrong, logger: Logger(label: "test"))
        do {
            _ = try await denied.get("conformance/putGetHead/obj")
            Issue.record("a wrong secret was accepted")
        } catch let ObjectStoreError.s3(e) {
            #expect(e.status == 403)
            #expect(e.code == "SignatureDoesNotMatch")
            #expect(!e.message.isEmpty)
            #expect(!e.requestID.isEmpty)
            let text = ObjectStoreError.s3(e).description
            #expect(text.contains("SignatureDoesNotMatch") && text.contains("conformance/putGetHead/obj") && text.contains(e.requestID), "\(text)")
        }
        #expect(denied.retryCount == 0, "a 403 is not retried")

        var unknown = Self.config(weed)
        unknown.accessKey = "nobody"
        do {
            try await S3Store(config: unknown, logger: Logger(label: "test")).put("x", bytes: [1])
            Issue.record("an unknown access key was accepted")
        } catch let ObjectStoreError.s3(e) {
            #expect(e.status == 403)
            #expect(e.code == "InvalidAccessKeyId", "\(e)")
        }
    }

    @Test func connectionRefusedIsATransportErrorWithTheURL() async throws {
        var c = S3BucketConfig(bucket: "b", endpoint: "127.0.0.1:\(FreePort.next())")
        c.insecure = true
        c.accessKey = "a"
        c.secretKey = "s"
        c.retry = RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))
        let store = try S3Store(config: c, logger: Logger(label: "test"))
        do {
            _ = try await store.get("k")
            Issue.record("no error")
        } catch let ObjectStoreError.transport(code, message, url) {
            #expect(code == 7, "\(message)")
            #expect(url == "http://\(c.endpoint)/b/k")
        }
        #expect(store.retryCount == 2)
    }
}
