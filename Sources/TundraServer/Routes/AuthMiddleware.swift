import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Checks basic-auth or bearer credentials on a group of routes; 401 otherwise, and
/// the handler (so nothing is appended) never runs.
///
/// The credential files are read at start. Comparisons take the same time whatever
/// the input, so timing does not reveal how much of a secret was right.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let users: [String: String]
    let tokens: [String]
    let realm: String

    init(_ config: AuthConfig, realm: String) throws {
        var users: [String: String] = [:]
        if let path = config.basicAuthUsersFile {
            for (n, line) in try AuthMiddleware.lines(path).enumerated() {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                    throw ServerError("\(path):\(n + 1): expected user:password")
                }
                users[String(line[..<colon])] = String(line[line.index(after: colon)...])
            }
        }
        self.users = users
        self.tokens = try config.bearerTokensFile.map { try AuthMiddleware.lines($0).map(String.init) } ?? []
        self.realm = realm
    }

    static func lines(_ path: String) throws -> [Substring] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ServerError("cannot read credentials file \(path): \(error.localizedDescription)")
        }
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces)[...] }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if authorized(request.headers[.authorization]) { return try await next(request, context) }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Basic realm=\"\(realm)\""
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(
            status: .unauthorized, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: "missing or wrong credentials for \(realm)\n")))
    }

    func authorized(_ header: String?) -> Bool {
        guard let header else { return false }
        if header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst(7))
            var ok = false
            for t in tokens where AuthMiddleware.constantTimeEqual(t, token) { ok = true }
            return ok
        }
        if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
            let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        {
            let user = String(pair[..<colon])
            let password = String(pair[pair.index(after: colon)...])
            guard let want = users[user] else { return false }
            return AuthMiddleware.constantTimeEqual(want, password)
        }
        return false
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
