import Foundation
import Testing

@testable import TundraObjectStore

/// The worked examples AWS publishes for SigV4: the S3 ones ("Examples: Signature
/// Calculations in AWS Signature Version 4", header-based auth, bucket examplebucket,
/// 2013-05-24) and the generic test suite's `get-vanilla` and
/// `get-vanilla-query-order-key-case` (2015-08-30). Every expected string is the published
/// one.
@Suite struct SigV4Tests {
    let s3Example = SigV4(
        credentials: .init(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let host = ("Host", "examplebucket.s3.amazonaws.com")
    /// 2013-05-24T00:00:00Z
    let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)

    @Test func getObjectWithRangeMatchesThePublishedSignature() {
        let (headers, signed) = s3Example.signS3(
            method: "GET", canonicalURI: "/test.txt", query: [], headers: [host, ("Range", "bytes=0-9")],
            payloadHash: SigV4.emptyPayloadHash, date: exampleDate)
        #expect(
            signed.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let authorization = headers.first { $0.0 == "Authorization" }?.1
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func putObjectWithBodyAndEncodedKeyMatchesThePublishedSignature() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let payloadHash = Digest.sha256Hex(body)
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(SigV4.uriEncode("test$file.text", keepSlash: true) == "test%24file.text")
        let (_, signed) = s3Example.signS3(
            method: "PUT", canonicalURI: "/" + SigV4.uriEncode("test$file.text", keepSlash: true), query: [],
            headers: [host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: payloadHash, date: exampleDate)
        #expect(Digest.sha256Hex(Array(signed.canonicalRequest.utf8)) == "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d")
        #expect(signed.signedHeaders == "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycleWithValuelessQueryMatchesThePublishedSignature() {
        let (_, signed) = s3Example.signS3(
            method: "GET", canonicalURI: "/", query: [("lifecycle", "")], headers: [host], payloadHash: SigV4.emptyPayloadHash,
            date: exampleDate)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\nlifecycle=\n"))
        #expect(Digest.sha256Hex(Array(signed.canonicalRequest.utf8)) == "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca")
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjectsSortsTheQueryAndMatchesThePublishedSignature() {
        let (_, signed) = s3Example.signS3(
            method: "GET", canonicalURI: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [host],
            payloadHash: SigV4.emptyPayloadHash, date: exampleDate)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\nmax-keys=2&prefix=J\n"))
        #expect(Digest.sha256Hex(Array(signed.canonicalRequest.utf8)) == "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7")
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    let suite = SigV4(
        credentials: .init(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region: "us-east-1",
        service: "service")

    @Test func testSuiteGetVanilla() {
        let signed = suite.sign(
            method: "GET", canonicalURI: "/", query: [], headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: SigV4.emptyPayloadHash, amzDate: "20150830T123600Z")
        #expect(Digest.sha256Hex(Array(signed.canonicalRequest.utf8)) == "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,SignedHeaders=host;x-amz-date,Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
    }

    @Test func testSuiteQueryOrderKeyCase() {
        let signed = suite.sign(
            method: "GET", canonicalURI: "/", query: [("Param2", "value2"), ("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")], payloadHash: SigV4.emptyPayloadHash,
            amzDate: "20150830T123600Z")
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\nParam1=value1&Param2=value2\n"))
        #expect(signed.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func sessionTokenIsSentAndSigned() {
        var withToken = s3Example
        withToken.credentials.sessionToken = "token/with+chars="
        let (headers, signed) = withToken.signS3(
            method: "GET", canonicalURI: "/k", query: [], headers: [host], payloadHash: SigV4.emptyPayloadHash, date: exampleDate)
        #expect(headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "token/with+chars=" })
        #expect(signed.signedHeaders == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
    }

    @Test func uriEncodingFollowsTheSigV4Rules() {
        #expect(SigV4.uriEncode("a b+c=d&e/f~g_h-i.j", keepSlash: true) == "a%20b%2Bc%3Dd%26e/f~g_h-i.j")
        #expect(SigV4.uriEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(SigV4.uriEncode("ключ", keepSlash: true) == "%D0%BA%D0%BB%D1%8E%D1%87")
        #expect(SigV4.uriEncode("*'()!", keepSlash: true) == "%2A%27%28%29%21")
        #expect(SigV4.canonicalQuery([("prefix", "a b/"), ("delimiter", "/"), ("continuation-token", "x+y=")])
            == "continuation-token=x%2By%3D&delimiter=%2F&prefix=a%20b%2F")
    }

    @Test func amzDateIsUTC() {
        #expect(SigV4.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
    }
}
