#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<data-dir>/lock`, so two servers never write one WAL.
/// Released by the kernel when the process ends, however it ends.
public final class DataDirectoryLock {
    private let fd: Int32

    public init(directory: String) throws {
        let path = directory + "/lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ServerError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ServerError("data folder \(directory) is in use by another tundra process (lock \(path) is held)")
        }
    }

    deinit { close(fd) }
}

/// An error reported to the operator as is.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
