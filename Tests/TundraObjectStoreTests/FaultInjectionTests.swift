import Foundation
import Logging
import Testing
import TundraObjectStore
import TundraTestSupport

/// The S3 store talking to SeaweedFS through ``FaultProxy``, which answers 500 and 503
/// SlowDown, cuts requests and answers mid-body, and delays answers past the request
/// timeout, on a fixed schedule. Every operation must still end with the right bytes, and
/// every fault must cost exactly one retry.
@Suite struct FaultInjectionTests {
    @Test func operationsSurviveScheduledFaults() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let scratch = try TempDir("objstore-faults")
        defer { scratch.remove() }
        typealias Rule = FaultProxy.Rule
        let rules: [Rule] = [
            // Single-shot PUT: every kind of failure once, then success.
            Rule(method: "PUT", targetContains: "/single", .internalError),
            Rule(method: "PUT", targetContains: "/single", .slowDown),
            Rule(method: "PUT", targetContains: "/single", .dropRequestMidBody),
            Rule(method: "PUT", targetContains: "/single", .dropResponseMidBody),
            // Multipart: initiate, two parts, and a completion whose answer is lost after
            // the service completed it.
            Rule(method: "POST", targetContains: "uploads=", .slowDown),
            Rule(method: "PUT", targetContains: "partNumber=2&", .dropRequestMidBody),
            Rule(method: "PUT", targetContains: "partNumber=3&", .internalError),
            Rule(method: "PUT", targetContains: "partNumber=3&", .dropResponseMidBody),
            Rule(method: "POST", targetContains: "uploadId=", .dropResponseMidBody),
            // GET: a body cut mid-way, an answer later than the request timeout, and a
            // short delay that must not count as a failure.
            Rule(method: "GET", targetContains: "/multi", .dropResponseMidBody),
            Rule(method: "GET", targetContains: "/multi", .delay(milliseconds: 2500)),
            Rule(method: "GET", targetContains: "/multi", .delay(milliseconds: 100)),
            Rule(method: "GET", targetContains: "/single", .slowDown),
            Rule(method: "HEAD", targetContains: "/single", .internalError),
            Rule(method: "GET", targetContains: "list-type=2", .internalError),
            Rule(method: "GET", targetContains: "list-type=2", .dropResponseMidBody),
            Rule(method: "DELETE", targetContains: "/single", .slowDown),
            // A conditional create whose answer is lost: the retry meets our own object.
            Rule(method: "PUT", targetContains: "/conditional", .dropResponseMidBody),
        ]
        let proxy = try FaultProxy(upstreamPort: weed.s3Port, rules: rules)
        defer { proxy.stop() }
        var config = SeaweedFSTests.config(weed, endpoint: proxy.endpoint)
        config.requestTimeout = .milliseconds(1500)
        config.retry = RetryPolicy(maxRetries: 6, baseDelay: .milliseconds(10), maxDelay: .milliseconds(100))
        let store = try S3Store(config: config, logger: Logger(label: "test"))

        let single = ConformanceCheck.bytes(300_000, seed: 11)
        try await store.put("faults/single", bytes: single)
        #expect(store.retryCount == 4)

        let multi = ConformanceCheck.bytes(12 << 20 + 7, seed: 12)
        let path = scratch.path + "/multi.bin"
        try Data(multi).write(to: URL(fileURLWithPath: path))
        try await store.putFile("faults/multi", path: path)
        #expect(store.retryCount == 9)

        #expect(try await store.get("faults/multi") == multi)
        #expect(store.retryCount == 11)
        #expect(try await store.get("faults/multi") == multi)
        #expect(try await store.get("faults/single", range: 1000..<2000) == Array(single[1000..<2000]))
        #expect(try await store.head("faults/single")?.size == 300_000)
        #expect(try await store.list(prefix: "faults/").keys == ["faults/multi", "faults/single"])
        try await store.delete("faults/single")
        #expect(try await store.head("faults/single") == nil)
        try await store.put("faults/conditional", bytes: [1, 2, 3], ifNoneMatch: true)
        #expect(try await store.get("faults/conditional") == [1, 2, 3])
        await #expect(throws: ObjectStoreError.preconditionFailed(key: "faults/conditional")) {
            try await store.put("faults/conditional", bytes: [1, 2, 3], ifNoneMatch: true)
        }

        #expect(proxy.pendingRules == 0, "rules left: \(proxy.pendingRules)")
        let failures = proxy.injected.filter { if case .delay(let ms) = $0.fault { return ms > 1500 } else { return true } }
        #expect(failures.count == rules.count - 1)
        #expect(store.retryCount == failures.count, "injected: \(proxy.injected)")

        // Past max_retries the last error comes out, after exactly max_retries retries.
        let before = store.retryCount
        let stubborn = try FaultProxy(upstreamPort: weed.s3Port, rules: Array(repeating: Rule(method: "GET", .internalError), count: 10))
        defer { stubborn.stop() }
        let giveUp = try S3Store(config: SeaweedFSTests.config(weed, endpoint: stubborn.endpoint), logger: Logger(label: "test"))
        do {
            _ = try await giveUp.get("faults/multi")
            Issue.record("no error after 10 failures")
        } catch let ObjectStoreError.s3(e) {
            #expect(e.status == 500)
            #expect(e.code == "InternalError")
            #expect(e.requestID == "fault-proxy")
        }
        #expect(giveUp.retryCount == 5)
        #expect(store.retryCount == before)
    }
}
