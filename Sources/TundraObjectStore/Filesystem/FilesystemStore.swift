import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A folder as a bucket: key `a/b/c` is the file `<directory>/a/b/c`.
///
/// Writes are atomic and durable: the bytes go to a temporary file in the target's folder,
/// which is fsynced, renamed (or, for a conditional write, hard-linked, which fails if the
/// name exists) over the target, and the folder is fsynced. Readers therefore see a whole
/// old object or a whole new one, never a part. Temporary files are named
/// `.tundra-tmp-*`; listings skip them and keys cannot use that name.
public struct FilesystemStore: ObjectStore {
    public let directory: String

    public init(directory: String) throws {
        var dir = directory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        self.directory = dir
        try POSIX.mkdirs(dir)
    }

    private func path(_ key: String) throws -> String {
        try ObjectKey.validate(key)
        return directory + "/" + key
    }

    public func put(_ key: String, bytes: [UInt8], ifNoneMatch: Bool) async throws {
        let target = try path(key)
        try await offloaded {
            try writeAtomically(key: key, target: target, exclusive: ifNoneMatch) { fd, tmp in
                try bytes.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: tmp) }
            }
        }
    }

    public func putFile(_ key: String, path source: String) async throws {
        let target = try path(key)
        try await offloaded {
            let input = try POSIX.open(source, O_RDONLY)
            defer { close(input) }
            try writeAtomically(key: key, target: target, exclusive: false) { fd, tmp in
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let n = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw POSIX.fail("read", source)
                    }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { try POSIX.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[..<n]), path: tmp) }
                }
            }
        }
    }

    private func writeAtomically(
        key: String, target: String, exclusive: Bool, fill: (Int32, String) throws -> Void
    ) throws {
        let dir = (target as NSString).deletingLastPathComponent
        let tmp = dir + "/" + ObjectKey.tempPrefix + UUID().uuidString
        var published = false
        defer { if !published { unlink(tmp) } }
        let fd = try createInFolder(dir, tmp)
        do {
            try fill(fd, tmp)
            try POSIX.fsync(fd, path: tmp)
            close(fd)
        } catch {
            close(fd)
            throw error
        }
        if exclusive {
            // link(2) refuses an existing name atomically, which rename(2) does not.
            if link(tmp, target) != 0 {
                if errno == EEXIST { throw ObjectStoreError.preconditionFailed(key: key) }
                throw POSIX.fail("link", target)
            }
            unlink(tmp)
        } else if rename(tmp, target) != 0 {
            throw POSIX.fail("rename", target)
        }
        published = true
        try POSIX.fsyncDirectory(dir)
    }

    /// Creates the folder and the file; tries again if a concurrent delete removed the
    /// folder (emptied by it) in between.
    private func createInFolder(_ dir: String, _ file: String) throws -> Int32 {
        var attempt = 0
        while true {
            try POSIX.mkdirs(dir)
            do {
                return try POSIX.open(file, O_WRONLY | O_CREAT | O_EXCL)
            } catch ObjectStoreError.io(_, _, let code) where code == ENOENT && attempt < 100 {
                attempt += 1
            }
        }
    }

    public func get(_ key: String) async throws -> [UInt8] {
        let p = try path(key)
        return try await offloaded {
            try withOpenFile(key: key, path: p) { fd, size in
                try POSIX.read(fd, count: Int(size), offset: 0, path: p)
            }
        }
    }

    public func get(_ key: String, range: Range<Int64>) async throws -> [UInt8] {
        let p = try path(key)
        return try await offloaded {
            try withOpenFile(key: key, path: p) { fd, size in
                guard range.lowerBound >= 0, range.lowerBound < size || range.isEmpty else {
                    throw ObjectStoreError.rangeNotSatisfiable(key: key, range: range)
                }
                let end = min(range.upperBound, size)
                return try POSIX.read(fd, count: Int(max(0, end - range.lowerBound)), offset: range.lowerBound, path: p)
            }
        }
    }

    private func withOpenFile<T>(key: String, path: String, _ body: (Int32, Int64) throws -> T) throws -> T {
        let fd: Int32
        do {
            fd = try POSIX.open(path, O_RDONLY)
        } catch ObjectStoreError.io(_, _, let code) where code == ENOENT || code == ENOTDIR {
            throw ObjectStoreError.notFound(key: key)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw POSIX.fail("fstat", path) }
        // A folder on the way to other keys is not an object.
        guard st.isRegularFile else { throw ObjectStoreError.notFound(key: key) }
        return try body(fd, Int64(st.st_size))
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        let p = try path(key)
        return try await offloaded {
            guard let st = POSIX.status(p), st.isRegularFile else { return nil }
            return info(key, st)
        }
    }

    private func info(_ key: String, _ st: stat) -> ObjectInfo {
        // No content hash is kept; modification time and size change whenever the content
        // is replaced, which is what callers compare ETags for.
        let stamp = String(st.st_mtim.tv_sec, radix: 16) + String(st.st_mtim.tv_nsec, radix: 16) + "-" + String(st.st_size, radix: 16)
        return ObjectInfo(key: key, size: Int64(st.st_size), etag: stamp, lastModified: st.modified)
    }

    public func list(prefix: String, delimiter: String?) async throws -> ObjectListing {
        try await offloaded {
            // Only the folder named by the prefix up to its last '/' can hold matches.
            let base = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
            var found: [ObjectInfo] = []
            try walk(relative: base, into: &found, prefix: prefix)
            found.sort { ObjectKey.precedes($0.key, $1.key) }
            return ListingRollup.apply(found, prefix: prefix, delimiter: delimiter)
        }
    }

    private func walk(relative: String, into found: inout [ObjectInfo], prefix: String) throws {
        let dir = relative.isEmpty ? directory : directory + "/" + relative.dropLast()
        for entry in try POSIX.entries(dir) where !entry.name.hasPrefix(ObjectKey.tempPrefix) {
            let key = relative + entry.name
            if entry.isDirectory {
                // Descend only where keys below could still start with the prefix.
                let sub = key + "/"
                if sub.utf8.starts(with: prefix.utf8) || prefix.utf8.starts(with: sub.utf8) {
                    try walk(relative: sub, into: &found, prefix: prefix)
                }
            } else if key.utf8.starts(with: prefix.utf8), let st = POSIX.status(directory + "/" + key), st.isRegularFile {
                found.append(info(key, st))
            }
        }
    }

    public func delete(_ key: String) async throws {
        let p = try path(key)
        try await offloaded {
            if unlink(p) != 0 {
                if errno == ENOENT || errno == ENOTDIR { return }
                throw POSIX.fail("unlink", p)
            }
            var dir = (p as NSString).deletingLastPathComponent
            do {
                try POSIX.fsyncDirectory(dir)
            } catch ObjectStoreError.io(_, _, let code) where code == ENOENT {
                // A concurrent delete emptied and removed the folder: our unlink is
                // part of what it made durable.
                return
            }
            // Empty folders left by deleted blocks would pile up. rmdir refuses a folder
            // that is not empty, and a write racing with it recreates the folder
            // (createInFolder).
            while dir.count > directory.count, rmdir(dir) == 0 {
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
    }
}
