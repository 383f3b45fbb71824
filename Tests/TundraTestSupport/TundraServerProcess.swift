import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A `tundra serve` child process on a free loopback port, stopped by pid.
public final class TundraServerProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched by the test that owns this object.
    public let port: Int
    public let dataDir: String
    public let process: Process
    public let stderrPath: String

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits until `/-/ready` answers 200 (up to 30 s).
    public init(dataDir: String, extraArgs: [String] = []) async throws {
        self.dataDir = dataDir
        port = FreePort.next()
        stderrPath = dataDir + ".stderr.log"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: TundraBinary.path)
        process.arguments =
            ["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:\(port)", "--self-monitor-interval", "0", "--log-level", "warning"]
            + extraArgs
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let (status, _, _) = try? await HTTP.get(baseURL + "/-/ready"), status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop()
        let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        throw TestFailure("tundra serve did not become ready on port \(port): \(log)")
    }

    /// SIGTERM, then waits for exit; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    public var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Minimal HTTP calls for tests, over URLSession.
public enum HTTP {
    public static func get(_ url: String, headers: [String: String] = [:]) async throws -> (Int, [String: String], Data) {
        try await send("GET", url, body: nil, headers: headers)
    }

    public static func post(_ url: String, body: Data, headers: [String: String] = [:]) async throws -> (Int, [String: String], Data) {
        try await send("POST", url, body: body, headers: headers)
    }

    public static func send(_ method: String, _ url: String, body: Data?, headers: [String: String]) async throws -> (Int, [String: String], Data) {
        guard let u = URL(string: url) else { throw TestFailure("bad URL \(url)") }
        var req = URLRequest(url: u)
        req.httpMethod = method
        req.httpBody = body
        req.timeoutInterval = 30
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: req)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("no HTTP response from \(url)") }
        var h: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { h[k.lowercased()] = v }
        }
        return (http.statusCode, h, data)
    }
}

/// HTTP through the curl binary, for answers URLSession would act on itself (a 401
/// with `WWW-Authenticate`, which FoundationNetworking answers with a credential
/// lookup that never completes without a delegate).
public enum Curl {
    public static func send(_ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:]) throws
        -> (Int, [String: String], Data)
    {
        let dir = FileManager.default.temporaryDirectory.path + "/curl-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var args = ["-s", "-X", method, "--max-time", "10", "-D", dir + "/headers", "-o", dir + "/body", "-w", "%{http_code}"]
        for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
        if let body {
            try body.write(to: URL(fileURLWithPath: dir + "/request"))
            args += ["--data-binary", "@" + dir + "/request"]
        }
        args.append(url)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let code = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        var h: [String: String] = [:]
        let headerText = (try? String(contentsOfFile: dir + "/headers", encoding: .utf8)) ?? ""
        for line in headerText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            h[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let data = (try? Data(contentsOf: URL(fileURLWithPath: dir + "/body"))) ?? Data()
        return (Int(code) ?? -1, h, data)
    }
}
