import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real Prometheus (Debian package `prometheus`) on a free loopback port, with
/// its own data folder, stopped by pid.
public final class PrometheusProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched by the test that owns this object.
    public let port: Int
    public let process: Process
    public let logPath: String
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public static var binary: String {
        ProcessInfo.processInfo.environment["PROMETHEUS_BINARY"] ?? "/usr/bin/prometheus"
    }

    /// Starts Prometheus with `config` (YAML; `$PORT` is replaced by its own port) and
    /// waits for `/-/ready`.
    public init(workDir: String, config: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw TestFailure("no Prometheus at \(Self.binary): install the Debian package `prometheus` (scripts/test does)")
        }
        port = FreePort.next()
        let configPath = workDir + "/prometheus.yml"
        try config.replacingOccurrences(of: "$PORT", with: String(port)).write(toFile: configPath, atomically: true, encoding: .utf8)
        logPath = workDir + "/prometheus.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(workDir)/prometheus-data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let (status, _, _) = try? await HTTP.get(baseURL + "/-/ready"), status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw TestFailure("Prometheus did not become ready: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }

    /// An instant query; returns the `data.result` array.
    public func query(_ promql: String, time: Double) async throws -> [[String: Any]] {
        var comps = URLComponents(string: baseURL + "/api/v1/query")
        comps?.queryItems = [URLQueryItem(name: "query", value: promql), URLQueryItem(name: "time", value: String(time))]
        // URLComponents leaves '+' as is, which a form decoder reads as a space.
        let encoded = comps?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        comps?.percentEncodedQuery = encoded
        guard let url = comps?.url?.absoluteString else { throw TestFailure("cannot build query URL") }
        let (status, _, body) = try await HTTP.get(url)
        guard status == 200, let json = try JSONSerialization.jsonObject(with: body) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { throw TestFailure("query \(promql) failed: \(status) \(String(decoding: body, as: UTF8.self))") }
        return result
    }
}
