import Logging

/// Reads a WAL folder back: the newest checkpoint, then every later segment.
///
/// A bad record (torn write, checksum mismatch) ends its segment: the file is
/// truncated there with a warning, so the next start does not trip on it again.
/// Later segments are still read, so a damaged record never costs the records
/// logged after it in other files. A segment with an unknown magic or version is
/// skipped with an error and left untouched.
public enum WALReplay {
    public struct Stats: Sendable, Equatable {
        public var segments = 0
        public var records = 0
        public var truncatedSegments: [Int] = []
        public var bytesTruncated = 0
    }

    public static func replay(
        directory: String, logger: Logger, repair: Bool = true, visit: (WALRecord) -> Void
    ) throws(FileIOError) -> Stats {
        var stats = Stats()
        guard FS.exists(directory) else { return stats }
        var afterSegment = 0
        if let (index, path) = try Checkpoint.latest(in: directory) {
            for segment in try WAL.segmentIndices(path) {
                let segPath = path + "/" + WALSegment.name(segment)
                let bytes = try FS.readFile(segPath)
                let (_, corruption) = WALSegment.read(bytes) { r in
                    stats.records += 1
                    visit(r)
                }
                if let corruption {
                    // A checkpoint is written to a temporary name and renamed only
                    // when complete, so damage here is damage to the disk.
                    logger.error("checkpoint damaged", metadata: ["path": "\(segPath)", "reason": "\(corruption)"])
                }
            }
            afterSegment = index
        }
        for segment in try WAL.segmentIndices(directory) where segment > afterSegment {
            let path = directory + "/" + WALSegment.name(segment)
            let bytes = try FS.readFile(path)
            stats.segments += 1
            let (goodEnd, corruption) = WALSegment.read(bytes) { r in
                stats.records += 1
                visit(r)
            }
            if let corruption, goodEnd == 0, bytes.count >= WALSegment.headerSize {
                // A whole header that is not ours (another magic, a newer version): not
                // a torn write. Cutting it would destroy what a newer build could read.
                logger.error(
                    "skipping unreadable WAL segment, left as it is",
                    metadata: ["segment": "\(path)", "reason": "\(corruption)"])
                continue
            }
            if let corruption, goodEnd < bytes.count, repair {
                logger.warning(
                    "truncating WAL segment at its last good record",
                    metadata: [
                        "segment": "\(path)", "offset": "\(goodEnd)", "dropped_bytes": "\(bytes.count - goodEnd)",
                        "reason": "\(corruption)",
                    ])
                try FS.truncate(path, to: max(goodEnd, 0))
                stats.truncatedSegments.append(segment)
                stats.bytesTruncated += bytes.count - goodEnd
            }
        }
        return stats
    }
}
