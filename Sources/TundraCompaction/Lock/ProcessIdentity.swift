#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Who this process is, as the lock records it, and whether a recorded process still runs.
public struct ProcessIdentity: Sendable, Equatable {
    public var hostname: String
    public var pid: Int32

    public init(hostname: String, pid: Int32) {
        self.hostname = hostname
        self.pid = pid
    }

    /// `gethostname(2)` rather than `ProcessInfo.hostName`, which may ask DNS for a
    /// canonical name and so differ between two runs on one machine.
    public static var current: ProcessIdentity {
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        return ProcessIdentity(hostname: name, pid: getpid())
    }

    /// Whether a process with this id runs on this machine. `kill(pid, 0)` sends nothing;
    /// only ESRCH proves the process gone (EPERM means it runs as another user). Process
    /// ids of other PID namespaces (containers sharing a hostname) are not visible here,
    /// which is why the hostname must name the container, as it does by default.
    public static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0 else { return true }
        return kill(pid, 0) == 0 || errno != ESRCH
    }
}
