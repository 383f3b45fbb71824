import Foundation

/// Finds and runs the built `tundra` executable, for end-to-end tests.
public enum TundraBinary {
    /// `$TUNDRA_BINARY`, or `tundra` beside the test bundle (SwiftPM builds
    /// executables into the same folder as the tests).
    public static var path: String {
        if let p = ProcessInfo.processInfo.environment["TUNDRA_BINARY"] { return p }
        return beside("tundra")
    }

    /// The built `tundra-compactor`.
    public static var compactorPath: String { beside("tundra-compactor") }

    private static func beside(_ name: String) -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The runner may be inside `<name>.xctest/...`; walk up to the build folder.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent(name).path
    }

    /// Runs `tundra args...` to completion; returns exit status, stdout and stderr.
    public static func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Command.run(path, args)
    }
}

/// Runs any executable to completion and collects its output.
public enum Command {
    public static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes while the process runs, so a large output cannot block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
