import Foundation
import Logging
import Testing
import TundraTestSupport

@testable import TundraObjectStore

@Suite struct BucketConfigTests {
    @Test func s3SettingsFillEveryField() throws {
        let config = try BucketConfig(
            type: "s3",
            settings: [
                "bucket": "tundra", "endpoint": "127.0.0.1:8333", "region": "eu-west-1", "insecure": "true", "access_key": "ak",
                "secret_key": "sk", "session_token": "tok", "bucket_lookup_type": "virtual-hosted", "part_size": "8388608",
                "max_retries": "3", "retry_base_delay": "50ms", "retry_max_delay": "2s", "connect_timeout": "5s",
                "request_timeout": "1m", "max_connections": "4", "list_page_size": "100", "ca_file": "/etc/ca.pem",
                "insecure_skip_verify": "false",
            ])
        var expected = S3BucketConfig(bucket: "tundra", endpoint: "127.0.0.1:8333")
        expected.region = "eu-west-1"
        expected.insecure = true
        expected.accessKey = "ak"
        expected.secretKey = "sk"
        expected.sessionToken = "tok"
        expected.bucketLookupType = .virtualHost
        expected.partSize = 8 << 20
        expected.retry = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(50), maxDelay: .seconds(2))
        expected.connectTimeout = .seconds(5)
        expected.requestTimeout = .seconds(60)
        expected.maxConnections = 4
        expected.listPageSize = 100
        expected.caFile = "/etc/ca.pem"
        #expect(config == .s3(expected))
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        guard case .s3(let c) = try BucketConfig(type: "S3", settings: ["bucket": "b"]) else {
            Issue.record("not S3")
            return
        }
        #expect(c.region == "us-east-1")
        #expect(c.insecure == false)
        #expect(c.bucketLookupType == .auto)
        #expect(c.partSize == 64 << 20)
        #expect(c.retry == .default)
        #expect(c.connectTimeout == .seconds(10))
        #expect(c.requestTimeout == .seconds(300))
        #expect(c.maxConnections == 16)
        #expect(c.listPageSize == 1000)
        #expect(try BucketConfig(type: "filesystem", settings: [:]) == .embeddedDefault)
    }

    @Test(arguments: [
        (["bucket": "b", "acces_key": "x"], "acces_key"),
        (["bucket": "b", "part_size": "1024"], "part_size"),
        (["bucket": "b", "insecure": "yes"], "insecure"),
        (["bucket": "b", "request_timeout": "soon"], "request_timeout"),
        (["bucket": "b", "endpoint": "https://s3.example.com"], "endpoint"),
        (["bucket": "b", "bucket_lookup_type": "dns"], "bucket_lookup_type"),
        (["bucket": "b", "access_key": "only"], "secret_key"),
        (["endpoint": "x"], "bucket"),
    ])
    func badSettingsNameTheKey(settings: [String: String], key: String) {
        do {
            _ = try BucketConfig(type: "S3", settings: settings)
            Issue.record("accepted \(settings)")
        } catch let ObjectStoreError.badConfig(badKey, reason) {
            #expect(badKey == key, "\(reason)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func unknownTypeIsRejected() {
        #expect(throws: ObjectStoreError.badConfig(key: "type", reason: "\"GCS\" is not S3 or FILESYSTEM")) {
            try BucketConfig(type: "GCS", settings: [:])
        }
    }

    @Test func factoryPutsTheDefaultBucketUnderTheDataDir() async throws {
        let dir = try TempDir("objstore-factory")
        defer { dir.remove() }
        let store = try makeObjectStore(.embeddedDefault, dataDir: dir.path, logger: Logger(label: "test"))
        try await store.put("k", bytes: [1])
        #expect(FileManager.default.fileExists(atPath: dir.path + "/bucket/k"))
    }

    @Test func factoryTakesCredentialsFromTheEnvironment() throws {
        let config = BucketConfig.s3(S3BucketConfig(bucket: "b", endpoint: "127.0.0.1:1"))
        let env = ["AWS_ACCESS_KEY_ID": "envak", "AWS_SECRET_ACCESS_KEY": "envsk", "AWS_SESSION_TOKEN": "envtok"]
        let store = try #require(try makeObjectStore(config, dataDir: "/nonexistent", logger: Logger(label: "test"), environment: env) as? S3Store)
        #expect(store.signer.credentials == SigV4.Credentials(accessKey: "envak", secretKey: "envsk", sessionToken: "envtok"))
        #expect(throws: ObjectStoreError.self) {
            try makeObjectStore(config, dataDir: "/nonexistent", logger: Logger(label: "test"), environment: [:])
        }
    }

    @Test func endpointStyles() {
        var c = S3BucketConfig(bucket: "tundra", endpoint: "127.0.0.1:8333")
        c.insecure = true
        let path = S3Endpoint(c)
        #expect(path.pathStyle)
        #expect(path.url(path: path.path("a b/c+d"), query: [("x", "1")]) == "http://127.0.0.1:8333/tundra/a%20b/c%2Bd?x=1")
        c.bucketLookupType = .virtualHost
        let virtual = S3Endpoint(c)
        #expect(virtual.host == "tundra.127.0.0.1:8333")
        #expect(virtual.path("k") == "/k")
        #expect(virtual.path(nil) == "/")
        let aws = S3Endpoint(S3BucketConfig(bucket: "tundra", endpoint: ""))
        #expect(aws.host == "tundra.s3.us-east-1.amazonaws.com")
        #expect(aws.scheme == "https")
    }
}
