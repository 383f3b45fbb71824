#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An I/O failure, with the path and the system's reason.
public struct FileIOError: Error, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

/// A thin owner of a POSIX file descriptor. Writes go straight to the kernel (no
/// user-space buffer), so what `write` returned for survives the process being killed.
///
/// @unchecked Sendable: the descriptor never changes and is closed only in deinit, so
/// a thread holding a reference may fsync it while another writes (the WAL syncs
/// outside its lock); writes themselves are serialised by the WAL's lock.
final class RawFile: @unchecked Sendable {
    let fd: Int32
    let path: String

    init(path: String, flags: Int32, mode: mode_t = 0o644) throws(FileIOError) {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileIOError(operation: "open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Writes all of `bytes[from...]`; returns how many were written before a failure.
    func writeAll(_ bytes: [UInt8], from start: Int = 0) -> (written: Int, error: FileIOError?) {
        var off = start
        let result: FileIOError? = bytes.withUnsafeBytes { buf -> FileIOError? in
            guard let base = buf.baseAddress else { return nil }
            while off < buf.count {
                let n = write(fd, base + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return FileIOError(operation: "write", path: path, errno: errno)
                }
                off += n
            }
            return nil
        }
        return (off - start, result)
    }

    func sync() throws(FileIOError) {
        guard fsync(fd) == 0 else { throw FileIOError(operation: "fsync", path: path, errno: errno) }
    }

    func size() throws(FileIOError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIOError(operation: "stat", path: path, errno: errno) }
        return Int(st.st_size)
    }
}

enum FS {
    static func readFile(_ path: String) throws(FileIOError) -> [UInt8] {
        let file = try RawFile(path: path, flags: O_RDONLY)
        let size = try file.size()
        var out = [UInt8](repeating: 0, count: size)
        var off = 0
        while off < size {
            let n = out.withUnsafeMutableBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return read(file.fd, base + off, size - off)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            off += n
        }
        return off == size ? out : Array(out[0..<off])
    }

    static func truncate(_ path: String, to size: Int) throws(FileIOError) {
        guard Glibc.truncate(path, off_t(size)) == 0 else { throw FileIOError(operation: "truncate", path: path, errno: errno) }
    }

    static func mkdirs(_ path: String) throws(FileIOError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileIOError(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    static func list(_ dir: String) throws(FileIOError) -> [String] {
        guard let d = opendir(dir) else { throw FileIOError(operation: "list", path: dir, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func remove(_ path: String) throws(FileIOError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw FileIOError(operation: "remove", path: path, errno: errno) }
    }

    static func removeTree(_ path: String) throws(FileIOError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try list(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw FileIOError(operation: "remove", path: path, errno: errno) }
        } else {
            try remove(path)
        }
    }

    static func rename(_ from: String, _ to: String) throws(FileIOError) {
        guard Glibc.rename(from, to) == 0 else { throw FileIOError(operation: "rename", path: from + " -> " + to, errno: errno) }
    }

    /// Makes a directory's entries (a new or renamed file) durable.
    static func syncDirectory(_ path: String) throws(FileIOError) {
        let dir = try RawFile(path: path, flags: O_RDONLY | O_DIRECTORY)
        try dir.sync()
    }
}
