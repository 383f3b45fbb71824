import HTTPTypes
import TundraIngest

/// Picks the remote-write message from Content-Type and checks Content-Encoding, as
/// the Remote-Write 2.0 specification asks of receivers that speak both versions.
enum ContentNegotiation {
    enum Outcome: Equatable {
        case accept(RemoteWriteVersion)
        case unsupported(String)
    }

    static func remoteWrite(contentType: String?, contentEncoding: String?) -> Outcome {
        if let enc = contentEncoding?.trimmingWhitespace().lowercased(), !enc.isEmpty, enc != "snappy" {
            return .unsupported("Content-Encoding \"\(enc)\" is not supported; use snappy")
        }
        // A 1.0 sender may omit the header; 1.0 is what it means.
        guard let ct = contentType, !ct.trimmingWhitespace().isEmpty else { return .accept(.v1) }
        let parts = ct.split(separator: ";").map { String($0).trimmingWhitespace() }
        guard parts.first?.lowercased() == "application/x-protobuf" else {
            return .unsupported("Content-Type \"\(ct)\" is not supported; use application/x-protobuf")
        }
        for param in parts.dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard kv.count == 2, kv[0].lowercased() == "proto" else { continue }
            let proto = kv[1].trimmingCharacters(in: "\"")
            switch proto {
            case "prometheus.WriteRequest": return .accept(.v1)
            case "io.prometheus.write.v2.Request": return .accept(.v2)
            default:
                return .unsupported(
                    "proto=\(proto) is not supported; use prometheus.WriteRequest or io.prometheus.write.v2.Request")
            }
        }
        return .accept(.v1)
    }
}

extension String {
    func trimmingWhitespace() -> String { trimmingCharacters(in: " \t") }

    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
