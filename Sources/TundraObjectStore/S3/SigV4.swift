import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4, header-based, written here rather than taken from libcurl
/// (`CURLOPT_AWS_SIGV4` in Debian's 7.88 mis-signs some S3 requests).
///
/// The steps follow the AWS reference "Create a signed AWS API request": canonical request,
/// string to sign, signing key derived from the date, region and service, signature.
struct SigV4 {
    struct Credentials: Sendable, Equatable {
        var accessKey: String
        var secretKey: String
        var sessionToken: String?
    }

    /// The intermediate texts, kept so that tests can compare each with the published ones.
    struct Signed: Equatable {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var signedHeaders: String
        var authorization: String
    }

    var credentials: Credentials
    var region: String
    var service: String = "s3"

    /// Signs exactly the headers given (names any case; values trimmed, inner runs of
    /// spaces folded to one). `canonicalURI` is already URI-encoded.
    func sign(
        method: String, canonicalURI: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String, amzDate: String
    ) -> Signed {
        let canonicalHeaders = headers
            .map { (name: $0.0.lowercased(), value: Self.normalize($0.1)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            method,
            canonicalURI,
            Self.canonicalQuery(query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Digest.sha256Hex(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        var key = Digest.hmacSHA256(key: Array(("AWS4" + credentials.secretKey).utf8), Array(day.utf8))
        for part in [region, service, "aws4_request"] {
            key = Digest.hmacSHA256(key: key, Array(part.utf8))
        }
        let signature = Digest.hex(Digest.hmacSHA256(key: key, Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        return Signed(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, signedHeaders: signedHeaders,
            authorization: authorization)
    }

    /// What S3 wants on every request: `x-amz-date`, `x-amz-content-sha256` (the real
    /// payload hash, so the service can reject a body damaged on the way) and, with
    /// temporary credentials, `x-amz-security-token`, all signed along with `headers`.
    /// Returns the headers to send, `Authorization` included.
    func signS3(
        method: String, canonicalURI: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String, date: Date
    ) -> (headers: [(String, String)], signed: Signed) {
        let amzDate = Self.amzDate(date)
        var all = headers
        all.append(("x-amz-content-sha256", payloadHash))
        all.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { all.append(("x-amz-security-token", token)) }
        let signed = sign(
            method: method, canonicalURI: canonicalURI, query: query, headers: all, payloadHash: payloadHash, amzDate: amzDate)
        all.append(("Authorization", signed.authorization))
        return (all, signed)
    }

    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Percent-encodes every byte except the unreserved `A-Z a-z 0-9 - _ . ~` (and `/`
    /// when `keepSlash`), as SigV4 requires: upper-case hex, space as `%20`, never `+`.
    static func uriEncode(_ s: String, keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash:
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Names and values encoded, then sorted by name and value (byte order), `=` always
    /// present even for an empty value.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        query
            .map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
            .sorted { $0.0 != $1.0 ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    private static func normalize(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    static func amzDate(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(tm.tm_year + 1900, 4) + pad(tm.tm_mon + 1, 2) + pad(tm.tm_mday, 2) + "T" + pad(tm.tm_hour, 2)
            + pad(tm.tm_min, 2) + pad(tm.tm_sec, 2) + "Z"
    }
}
