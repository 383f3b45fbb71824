import Testing
import TundraIngest

@testable import TundraServer

@Suite struct ContentNegotiationTests {
    @Test(arguments: [
        (nil as String?, nil as String?, ContentNegotiation.Outcome.accept(.v1)),
        ("application/x-protobuf", "snappy", .accept(.v1)),
        ("application/x-protobuf;proto=prometheus.WriteRequest", "snappy", .accept(.v1)),
        ("application/x-protobuf; proto=io.prometheus.write.v2.Request", "snappy", .accept(.v2)),
        ("Application/X-Protobuf;proto=\"io.prometheus.write.v2.Request\"", nil, .accept(.v2)),
    ])
    func acceptsWhatTheSpecificationsName(_ type: String?, _ encoding: String?, _ want: ContentNegotiation.Outcome) {
        #expect(ContentNegotiation.remoteWrite(contentType: type, contentEncoding: encoding) == want)
    }

    @Test(arguments: [
        ("application/json", "snappy", "Content-Type \"application/json\""),
        ("application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy", "proto=io.prometheus.write.v3.Request"),
        ("application/x-protobuf", "gzip", "Content-Encoding \"gzip\""),
    ])
    func refusesOthersNamingWhat(_ type: String, _ encoding: String, _ fragment: String) {
        guard case .unsupported(let why) = ContentNegotiation.remoteWrite(contentType: type, contentEncoding: encoding) else {
            Issue.record("accepted \(type) / \(encoding)")
            return
        }
        #expect(why.contains(fragment), "\(why)")
    }
}

@Suite struct InflightLimiterTests {
    @Test func admitsUpToTheLimitAndFreesOnLeave() {
        let l = InflightLimiter()
        #expect(l.enter(limit: 2))
        #expect(l.enter(limit: 2))
        #expect(!l.enter(limit: 2), "the third concurrent request is refused")
        l.leave()
        #expect(l.enter(limit: 2), "a slot freed by leave is reusable")
        l.leave()
        l.leave()
        #expect(l.enter(limit: 1))
    }

    @Test func concurrentEntriesNeverExceedTheLimit() async {
        let l = InflightLimiter()
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 { group.addTask { l.enter(limit: 10) } }
            var n = 0
            for await ok in group where ok { n += 1 }
            return n
        }
        #expect(admitted == 10)
    }
}

@Suite struct AuthCheckTests {
    @Test func constantTimeComparisonIsExact() {
        #expect(AuthMiddleware<BasicContextStub>.constantTimeEqual("abc", "abc"))
        #expect(!AuthMiddleware<BasicContextStub>.constantTimeEqual("abc", "abd"))
        #expect(!AuthMiddleware<BasicContextStub>.constantTimeEqual("abc", "abcd"))
        #expect(!AuthMiddleware<BasicContextStub>.constantTimeEqual("", "a"))
        #expect(AuthMiddleware<BasicContextStub>.constantTimeEqual("", ""))
    }
}
