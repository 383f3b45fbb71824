import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder operations of block publication: build under a temporary name, fsync,
/// rename into place (as Prometheus' `compact.go` does).
public enum BlockDirectory {
    /// Suffix of a block folder still being written. Not a ULID, so Prometheus,
    /// promtool and our own listing skip it.
    public static let temporarySuffix = ".tmp-for-creation"

    /// Removes every `*.tmp-for-creation` folder under `parent`: leftovers of writers
    /// that crashed or failed. Call it at startup, before any writer runs there.
    /// Returns the names removed.
    @discardableResult
    public static func removeTemporaryDirectories(in parent: String) throws(BlockError) -> [String] {
        var removed: [String] = []
        for name in try list(parent) where name.hasSuffix(temporarySuffix) {
            try remove(parent + "/" + name)
            removed.append(name)
        }
        return removed
    }

    /// The ULIDs of the complete blocks under `parent`, sorted: folders named by a
    /// ULID that hold a `meta.json`.
    public static func blocks(in parent: String) throws(BlockError) -> [ULID] {
        var out: [ULID] = []
        for name in try list(parent) {
            guard let id = try? ULID(parsing: name) else { continue }
            if FileManager.default.fileExists(atPath: parent + "/" + name + "/" + BlockMeta.fileName) { out.append(id) }
        }
        return out.sorted()
    }

    static func list(_ path: String) throws(BlockError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw BlockError(.io, "cannot list folder: \(error.localizedDescription)", file: path)
        }
    }

    static func create(_ path: String) throws(BlockError) {
        guard mkdir(path, 0o755) == 0 else { throw BlockError.system("mkdir", path) }
    }

    static func remove(_ path: String) throws(BlockError) {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw BlockError(.io, "cannot remove: \(error.localizedDescription)", file: path)
        }
    }

    /// fsync on a folder makes its entries (new files, renames) durable.
    static func sync(_ path: String) throws(BlockError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BlockError.system("open folder", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BlockError.system("fsync folder", path) }
    }

    static func rename(_ from: String, to: String) throws(BlockError) {
        guard posixRename(from, to) == 0 else { throw BlockError.system("rename to \(to)", from) }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(BlockError) {
        let w = try BlockFileWriter(path: path, bufferSize: max(bytes.count, 1))
        try w.write(bytes)
        try w.finish()
    }
}
