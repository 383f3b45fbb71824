import Foundation
import Testing
import TundraModel
import TundraTestSupport

/// Credentials on the write and read routes, and HTTPS, against the real server.
@Suite(.serialized)
struct AuthAndTLSTests {
    static let t0: Int64 = 1_800_000_000_000

    func body(_ name: String, _ v: Double) throws -> Data {
        try RemoteWriteBody.v1([SeriesSamples(labels: Labels(["__name__": name]), samples: [Sample(t: Self.t0, v: v)])])
    }

    @Test func writeAndReadRoutesCheckTheirOwnCredentials() async throws {
        let dir = try TempDir("auth")
        defer { dir.remove() }
        try "# writers\nagent:s3cret\n".write(toFile: dir.path + "/users", atomically: true, encoding: .utf8)
        try "tok-123\n".write(toFile: dir.path + "/tokens", atomically: true, encoding: .utf8)
        try "reader:r3ad\n".write(toFile: dir.path + "/readers", atomically: true, encoding: .utf8)
        let config = """
            server:
              auth:
                write: {basic_auth_users_file: \(dir.path)/users, bearer_tokens_file: \(dir.path)/tokens}
                read: {basic_auth_users_file: \(dir.path)/readers}
            """
        try config.write(toFile: dir.path + "/tundra.yml", atomically: true, encoding: .utf8)
        let server = try await TundraServerProcess(dataDir: dir.path + "/data", extraArgs: ["--config", dir.path + "/tundra.yml"])
        defer { server.stop() }
        let url = server.baseURL + "/api/v1/write"
        func basic(_ user: String, _ pass: String) -> String { "Basic " + Data("\(user):\(pass)".utf8).base64EncodedString() }

        let none = try Curl.send("POST", url, body: try body("no_creds", 1), headers: RemoteWriteBody.v1Headers)
        #expect(none.0 == 401)
        #expect(none.1["www-authenticate"]?.contains("Basic") == true)
        var h = RemoteWriteBody.v1Headers
        h["Authorization"] = basic("agent", "wrong")
        #expect(try Curl.send("POST", url, body: try body("wrong_password", 1), headers: h).0 == 401)
        h["Authorization"] = basic("reader", "r3ad")
        #expect(try Curl.send("POST", url, body: try body("reader_on_write", 1), headers: h).0 == 401)
        h["Authorization"] = "Bearer nope"
        #expect(try Curl.send("POST", url, body: try body("wrong_token", 1), headers: h).0 == 401)
        h["Authorization"] = basic("agent", "s3cret")
        #expect(try Curl.send("POST", url, body: try body("basic_ok", 1), headers: h).0 == 204)
        h["Authorization"] = "Bearer tok-123"
        #expect(try Curl.send("POST", url, body: try body("bearer_ok", 2), headers: h).0 == 204)

        let stored = try Dump.read(dataDir: server.dataDir)
        #expect(Set(stored.keys) == [#"{__name__="basic_ok"}"#, #"{__name__="bearer_ok"}"#], "nothing appended without credentials")

        #expect(try Curl.send("GET", server.baseURL + "/api/v1/metadata").0 == 401)
        #expect(try Curl.send("GET", server.baseURL + "/api/v1/metadata", headers: ["Authorization": basic("agent", "s3cret")]).0 == 401)
        #expect(try Curl.send("GET", server.baseURL + "/api/v1/metadata", headers: ["Authorization": basic("reader", "r3ad")]).0 == 200)
        #expect(try await HTTP.get(server.baseURL + "/-/healthy").0 == 200, "probes need no credentials")
    }

    @Test func tlsServesHTTPSWithTheConfiguredCertificate() async throws {
        let dir = try TempDir("tls")
        defer { dir.remove() }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir.path + "/key.pem", "-out", dir.path + "/cert.pem",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        try "server:\n  tls: {cert_file: \(dir.path)/cert.pem, key_file: \(dir.path)/key.pem}\n"
            .write(toFile: dir.path + "/tundra.yml", atomically: true, encoding: .utf8)
        let port = FreePort.next()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TundraBinary.path)
        server.arguments = [
            "serve", "--config", dir.path + "/tundra.yml", "--data-dir", dir.path + "/data", "--listen", "127.0.0.1:\(port)",
            "--self-monitor-interval", "0",
        ]
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        func curl(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            p.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"] + args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        var answer = (Int32(-1), "")
        for _ in 0..<100 {
            answer = try curl(["--cacert", dir.path + "/cert.pem", "https://127.0.0.1:\(port)/-/ready"])
            if answer.1 == "200" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(answer.1 == "200", "HTTPS with the server's certificate: \(answer)")
        let untrusted = try curl(["https://127.0.0.1:\(port)/-/ready"])
        #expect(untrusted.0 != 0, "a client that does not trust the certificate must fail")
        let plain = try curl(["http://127.0.0.1:\(port)/-/ready"])
        #expect(plain.1 != "200", "plain HTTP is not served on a TLS listener")
    }
}
