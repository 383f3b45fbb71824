#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one new block file through a user-space buffer (block files are written
/// once, front to back, in many small pieces) and fsyncs it on ``finish()``.
final class BlockFileWriter {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit: Int
    /// Bytes written so far, buffered or not: the offset of the next byte.
    private(set) var position: Int = 0

    init(path: String, bufferSize: Int = 1 << 20) throws(BlockError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BlockError.system("create", path) }
        self.fd = fd
        self.path = path
        self.bufferLimit = bufferSize
        buffer.reserveCapacity(bufferSize)
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ bytes: [UInt8]) throws(BlockError) {
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try writeThrough(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        position += bytes.count
    }

    /// Zero bytes up to the next multiple of `alignment`.
    func pad(to alignment: Int) throws(BlockError) {
        let r = position % alignment
        if r != 0 { try write([UInt8](repeating: 0, count: alignment - r)) }
    }

    func flush() throws(BlockError) {
        guard !buffer.isEmpty else { return }
        try writeThrough(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeThrough(_ bytes: [UInt8]) throws(BlockError) {
        guard fd >= 0 else { throw BlockError(.invalidInput, "write after close", file: path) }
        var off = 0
        let failed: Bool = bytes.withUnsafeBytes { buf in
            guard let base = buf.baseAddress else { return false }
            while off < buf.count {
                let n = posixWrite(fd, base + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                off += n
            }
            return false
        }
        if failed { throw BlockError.system("write", path) }
    }

    /// Flushes, fsyncs and closes: after this returns the bytes survive a crash
    /// (once the directory entry is synced too).
    func finish() throws(BlockError) {
        try flush()
        guard fsync(fd) == 0 else { throw BlockError.system("fsync", path) }
        let r = close(fd)
        fd = -1
        guard r == 0 else { throw BlockError.system("close", path) }
    }
}

extension BlockError {
    /// An I/O failure with the system's reason.
    static func system(_ operation: String, _ path: String, code: Int32 = errno) -> BlockError {
        BlockError(.io, "\(operation): \(String(cString: strerror(code)))", file: path)
    }
}

/// The C `write`, reachable under another name from types that have a `write` method.
func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// The C `rename`, likewise.
func posixRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
