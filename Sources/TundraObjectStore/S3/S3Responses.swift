import Foundation

/// The XML bodies S3 answers with, read into plain values.
enum S3Responses {
    struct ListPage: Equatable {
        var objects: [ObjectInfo]
        var commonPrefixes: [String]
        var nextContinuationToken: String?
    }

    /// A ListObjectsV2 `<ListBucketResult>`.
    static func listPage(_ body: [UInt8], url: String) throws -> ListPage {
        guard let root = XMLTree.parse(body), root.name == "ListBucketResult" else {
            throw ObjectStoreError.malformedResponse(url: url, reason: "expected a ListBucketResult document")
        }
        let objects = try root.all("Contents").map { c -> ObjectInfo in
            guard let key = c["Key"] else { throw ObjectStoreError.malformedResponse(url: url, reason: "Contents without Key") }
            return ObjectInfo(
                key: key, size: Int64(c["Size"] ?? "") ?? 0, etag: unquote(c["ETag"] ?? ""),
                lastModified: c["LastModified"].flatMap(parseISO8601) ?? Date(timeIntervalSince1970: 0))
        }
        let prefixes = root.all("CommonPrefixes").compactMap { $0["Prefix"] }
        let truncated = root["IsTruncated"] == "true"
        let token = root["NextContinuationToken"].flatMap { $0.isEmpty ? nil : $0 }
        if truncated && token == nil {
            throw ObjectStoreError.malformedResponse(url: url, reason: "IsTruncated without NextContinuationToken")
        }
        return ListPage(objects: objects, commonPrefixes: prefixes, nextContinuationToken: truncated ? token : nil)
    }

    /// The fields of an `<Error>` body; nil when the body is not one.
    static func error(_ body: [UInt8]) -> (code: String, message: String, key: String?, requestID: String?)? {
        guard let root = XMLTree.parse(body), root.name == "Error" else { return nil }
        return (root["Code"] ?? "", root["Message"] ?? "", root["Key"], root["RequestId"])
    }

    /// `<InitiateMultipartUploadResult><UploadId>`.
    static func uploadID(_ body: [UInt8], url: String) throws -> String {
        guard let root = XMLTree.parse(body), root.name == "InitiateMultipartUploadResult", let id = root["UploadId"], !id.isEmpty
        else { throw ObjectStoreError.malformedResponse(url: url, reason: "expected InitiateMultipartUploadResult with an UploadId") }
        return id
    }

    /// The body of CompleteMultipartUpload: parts in order with the ETags their uploads
    /// returned.
    static func completeMultipartBody(_ etags: [String]) -> [UInt8] {
        var xml = "<CompleteMultipartUpload>"
        for (i, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(i + 1)</PartNumber><ETag>\"\(escape(etag))\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        return Array(xml.utf8)
    }

    static func unquote(_ etag: String) -> String {
        var s = Substring(etag)
        if s.hasPrefix("\"") { s = s.dropFirst() }
        if s.hasSuffix("\"") { s = s.dropLast() }
        return String(s)
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `2013-05-24T00:00:00.000Z`, fractional seconds optional.
    static func parseISO8601(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }

    /// An HTTP date (`Last-Modified: Wed, 25 Nov 2026 16:07:31 GMT`).
    static func parseHTTPDate(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: s)
    }
}
