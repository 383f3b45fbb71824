import Foundation
import NIOPosix
import TundraBlock
import TundraObjectStore

/// Copies a block's objects from the bucket into a local folder, so that
/// ``BlockReader`` can read it with `pread`. The compactor, verification and
/// inspection use it: they read every byte anyway. (A query never does this; it reads
/// by range.)
public enum BlockDownload {
    /// One object of a block: its path under `<ulid>/` and its size.
    public struct File: Sendable, Equatable {
        public var path: String
        public var size: Int64

        public init(path: String, size: Int64) {
            self.path = path
            self.size = size
        }
    }

    /// Objects larger than this come in several range GETs, so a 512 MiB chunk
    /// segment never sits in memory whole.
    public static let pieceSize: Int64 = 32 << 20

    /// Downloads `files` (paths relative to `<ulid>/`) into `directory`, which is created.
    public static func download(
        _ store: any ObjectStore, ulid: ULID, files: [File], to directory: String, pieceSize: Int64 = BlockDownload.pieceSize
    ) async throws {
        let prefix = ulid.description + "/"
        for file in files {
            let path = directory + "/" + file.path
            let parent = (path as NSString).deletingLastPathComponent
            try await NIOThreadPool.singleton.runIfActive {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw BlockError(.io, "cannot create the file", file: path)
                }
            }
            guard let handle = FileHandle(forWritingAtPath: path) else { throw BlockError(.io, "cannot open the file for writing", file: path) }
            defer { try? handle.close() }
            if file.size <= pieceSize {
                let bytes = try await store.get(prefix + file.path)
                try await NIOThreadPool.singleton.runIfActive { try handle.write(contentsOf: bytes) }
                continue
            }
            var offset: Int64 = 0
            while offset < file.size {
                let bytes = try await store.get(prefix + file.path, range: offset..<min(offset + pieceSize, file.size))
                guard !bytes.isEmpty else { break }
                try await NIOThreadPool.singleton.runIfActive { try handle.write(contentsOf: bytes) }
                offset += Int64(bytes.count)
            }
        }
    }

    /// A fresh folder under `parent` for one block. `createdParent` says whether
    /// `parent` had to be made, so that ``removeDirectory(_:parent:)`` takes away only
    /// what the tools created.
    public static func makeDirectory(under parent: String, for ulid: ULID) throws -> (path: String, createdParent: Bool) {
        let createdParent = !FileManager.default.fileExists(atPath: parent)
        let path = parent + "/" + ulid.description + "-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return (path, createdParent)
    }

    /// Removes a block's folder, and `parent` when it was created for it and is now empty.
    public static func removeDirectory(_ path: String, parent: String?) {
        try? FileManager.default.removeItem(atPath: path)
        if let parent, (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: parent)
        }
    }
}
