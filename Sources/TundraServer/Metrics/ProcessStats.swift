import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Figures about this process from /proc, for self-monitoring and benchmarks.
public struct ProcessStats: Sendable {
    public var residentBytes: Int
    public var peakResidentBytes: Int
    public var cpuSeconds: Double

    public static func read() -> ProcessStats {
        var out = ProcessStats(residentBytes: 0, peakResidentBytes: 0, cpuSeconds: 0)
        if let status = try? readText("/proc/self/status") {
            for line in status.split(separator: "\n") {
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count >= 2, let kb = Int(parts[1]) else { continue }
                if parts[0] == "VmRSS:" { out.residentBytes = kb * 1024 }
                if parts[0] == "VmHWM:" { out.peakResidentBytes = kb * 1024 }
            }
        }
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            out.cpuSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        return out
    }

    private static func readText(_ path: String) throws -> String {
        guard let f = fopen(path, "r") else { throw ServerError("cannot open \(path)") }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes.append(contentsOf: buf[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

public enum UnixTime {
    /// Milliseconds since the Unix epoch.
    public static func millis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
