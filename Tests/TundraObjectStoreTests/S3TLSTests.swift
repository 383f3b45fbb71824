import Foundation
import Logging
import Testing
import TundraObjectStore
import TundraTestSupport

/// The S3 store over HTTPS (`insecure: false`) against SeaweedFS serving a
/// certificate made for the test: trusted through `ca_file` it works; without it the
/// handshake fails with a clear transport error, and nothing is retried into success.
@Suite struct S3TLSTests {
    @Test func httpsWithTheCertificateTrustedAndWithout() async throws {
        let dir = try TempDir("s3-tls")
        defer { dir.remove() }
        let cert = dir.path + "/cert.pem"
        let key = dir.path + "/key.pem"
        let made = try Command.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        #expect(made.status == 0, "\(made.stderr)")
        let weed = try await SeaweedFSProcess(tls: (cert, key))
        defer { weed.stop() }

        var config = S3BucketConfig(bucket: weed.bucket, endpoint: "127.0.0.1:\(weed.httpsPort)")
        config.insecure = false
        config.accessKey = weed.accessKey
        config.secretKey = weed.secretKey
        config.bucketLookupType = .path
        config.caFile = cert
        config.retry = RetryPolicy(maxRetries: 1, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
        let store = try S3Store(config: config, logger: Logger(label: "test"))
        let bytes = Array("over https".utf8)
        try await store.put("tls/object", bytes: bytes)
        #expect(try await store.get("tls/object") == bytes)
        #expect(try await store.list(prefix: "tls/").keys == ["tls/object"])

        var untrusted = config
        untrusted.caFile = nil
        let stranger = try S3Store(config: untrusted, logger: Logger(label: "test"))
        do {
            _ = try await stranger.get("tls/object")
            Issue.record("a certificate nobody vouched for was accepted")
        } catch let error as ObjectStoreError {
            guard case .transport(let code, _, let url) = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect([35, 51, 58, 60].contains(code), "a TLS verification failure (curl code \(code)): \(error)")
            #expect(url.hasPrefix("https://127.0.0.1:\(weed.httpsPort)/"))
        }
    }
}
