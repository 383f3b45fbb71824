import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a block reader gets its bytes: the files of one block folder, read by byte
/// range. A local folder reads with `pread`; an object store would issue range GETs,
/// which is why the reader asks only for the ranges it needs.
///
/// File names are relative to the block folder: `meta.json`, `index`, `chunks/000001`.
public protocol BlockFileSource: Sendable {
    /// The size of `file` in bytes.
    func size(of file: String) throws(BlockError) -> Int
    /// The bytes of `file` in `range`; fewer when the file ends inside the range
    /// (callers ask for a little more than they know they need).
    func read(_ file: String, range: Range<Int>) throws(BlockError) -> [UInt8]
}

extension BlockFileSource {
    /// The whole of a small file.
    func readAll(_ file: String) throws(BlockError) -> [UInt8] {
        try read(file, range: 0..<(try size(of: file)))
    }

    /// Exactly `range`, or an error naming the file and where it ended.
    func readExactly(_ file: String, range: Range<Int>) throws(BlockError) -> [UInt8] {
        let b = try read(file, range: range)
        guard b.count == range.count else {
            throw BlockError(.corrupt, "file ends after \(range.lowerBound + b.count) bytes, needed up to \(range.upperBound)", file: file, offset: range.lowerBound + b.count)
        }
        return b
    }
}

/// A block folder on the local file system. Keeps files open once read, so a query
/// pays one `pread` per range.
public final class LocalBlockFileSource: BlockFileSource {
    public let directory: String
    private let descriptors = Mutex<[String: Int32]>([:])

    public init(directory: String) {
        self.directory = directory
    }

    deinit {
        descriptors.withLock { fds in
            for fd in fds.values { close(fd) }
        }
    }

    private func descriptor(_ file: String) throws(BlockError) -> Int32 {
        let path = directory + "/" + file
        let result: Result<Int32, BlockError> = descriptors.withLock { fds in
            if let fd = fds[file] { return .success(fd) }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return .failure(BlockError.system("open", path)) }
            fds[file] = fd
            return .success(fd)
        }
        return try result.get()
    }

    public func size(of file: String) throws(BlockError) -> Int {
        let fd = try descriptor(file)
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw BlockError.system("stat", directory + "/" + file) }
        return Int(st.st_size)
    }

    public func read(_ file: String, range: Range<Int>) throws(BlockError) -> [UInt8] {
        guard range.lowerBound >= 0 else { throw BlockError(.invalidInput, "negative offset \(range.lowerBound)", file: file) }
        let fd = try descriptor(file)
        var out = [UInt8](repeating: 0, count: range.count)
        var got = 0
        var failure: Int32 = 0
        out.withUnsafeMutableBytes { buf in
            guard let base = buf.baseAddress else { return }
            while got < buf.count {
                let n = pread(fd, base + got, buf.count - got, off_t(range.lowerBound + got))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { break }
                got += n
            }
        }
        if failure != 0 { throw BlockError.system("read", directory + "/" + file, code: failure) }
        if got < out.count { out.removeLast(out.count - got) }
        return out
    }
}
