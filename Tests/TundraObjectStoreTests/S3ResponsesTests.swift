import Foundation
import Testing

@testable import TundraObjectStore

@Suite struct S3ResponsesTests {
    @Test func listPageReadsObjectsPrefixesAndToken() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>tundra</Name><Prefix>blocks/</Prefix><KeyCount>3</KeyCount><MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken>
              <Contents><Key>blocks/a &amp; b</Key><LastModified>2026-11-25T16:07:31.000Z</LastModified>
                <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>12</Size></Contents>
              <Contents><Key>blocks/ключ</Key><LastModified>2026-11-25T16:07:32Z</LastModified><ETag>"x-2"</ETag><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>blocks/01/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """
        let page = try S3Responses.listPage(Array(xml.utf8), url: "u")
        #expect(page.objects.map(\.key) == ["blocks/a & b", "blocks/ключ"])
        #expect(page.objects.map(\.size) == [12, 0])
        #expect(page.objects[0].etag == "9b2cf535f27731c974343645a3985328")
        #expect(page.objects[0].lastModified == Date(timeIntervalSince1970: 1_795_622_851))
        #expect(page.commonPrefixes == ["blocks/01/"])
        #expect(page.nextContinuationToken == "tok+/=")
    }

    @Test func lastPageHasNoToken() throws {
        let xml = "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>"
        #expect(try S3Responses.listPage(Array(xml.utf8), url: "u").nextContinuationToken == nil)
    }

    @Test func malformedListIsAnErrorNamingTheURL() {
        #expect(throws: ObjectStoreError.malformedResponse(url: "http://x/b", reason: "expected a ListBucketResult document")) {
            try S3Responses.listPage(Array("<ListBucketResult><Contents>".utf8), url: "http://x/b")
        }
    }

    @Test func errorBodyFieldsReachTheDescription() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message>
            <Resource>/tundra/a/b</Resource><RequestId>18EB55783EA185B5</RequestId><Key>a/b</Key></Error>
            """
        let e = try #require(S3Responses.error(Array(xml.utf8)))
        #expect(e.code == "SignatureDoesNotMatch")
        #expect(e.key == "a/b")
        #expect(e.requestID == "18EB55783EA185B5")
        let error = ObjectStoreError.s3(
            S3ErrorResponse(status: 403, code: e.code, message: e.message, key: e.key ?? "", requestID: e.requestID ?? "", method: "GET", url: "http://h/tundra/a/b"))
        #expect(
            error.description
                == "S3 GET http://h/tundra/a/b: HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match. (key \"a/b\", request id 18EB55783EA185B5)"
        )
    }

    @Test func multipartDocuments() throws {
        let initiated = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>abc-123</UploadId></InitiateMultipartUploadResult>"
        #expect(try S3Responses.uploadID(Array(initiated.utf8), url: "u") == "abc-123")
        #expect(throws: ObjectStoreError.self) { try S3Responses.uploadID(Array("<Error/>".utf8), url: "u") }
        let body = String(decoding: S3Responses.completeMultipartBody(["e1", "e2"]), as: UTF8.self)
        #expect(
            body
                == "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>"
        )
    }

    @Test func errorDescriptionsReadWell() {
        #expect(ObjectStoreError.notFound(key: "a/b").description == "object not found: a/b")
        #expect(
            ObjectStoreError.transport(curlCode: 7, message: "Failed to connect to 127.0.0.1 port 1: Connection refused", url: "http://127.0.0.1:1/b/k")
                .description == "transport error (curl 7) on http://127.0.0.1:1/b/k: Failed to connect to 127.0.0.1 port 1: Connection refused")
        #expect(ObjectStoreError.badConfig(key: "part_size", reason: "at least 5 MiB").description == "bucket config: part_size: at least 5 MiB")
        #expect(ObjectStoreError.io(operation: "open", path: "/x", errno: 2).description == "open /x: No such file or directory (errno 2)")
    }
}
