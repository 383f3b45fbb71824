#if canImport(Glibc)
import Glibc
#endif
import TundraModel

/// Folds old WAL segments into a checkpoint: the series still alive and the samples
/// not yet in a block, so the segments can be deleted.
///
/// Layout: `checkpoint.NNNNNNNN/` holds segment files in the WAL's own format and
/// stands for every segment up to and including NNNNNNNN. It is written under a
/// `.tmp` name and renamed when complete, then the segments it covers and older
/// checkpoints are removed; a crash at any point leaves a readable WAL.
public enum Checkpoint {
    static let prefix = "checkpoint."

    public struct Stats: Sendable, Equatable {
        public var throughSegment: Int
        public var seriesKept: Int
        public var samplesKept: Int
        public var segmentsRemoved: Int
    }

    /// Writes a checkpoint of everything up to segment `through` (see
    /// ``WAL/cutSegment()``), keeping series for which `keep` is true and samples
    /// at or after `minTime`.
    public static func create(
        directory: String, through: Int, minTime: Int64, keep: (SeriesRef) -> Bool
    ) throws(FileIOError) -> Stats {
        var series: [(ref: SeriesRef, labels: Labels)] = []
        var samples: [RefSample] = []
        let previous = try latest(in: directory)
        var sources: [String] = []
        if let (_, path) = previous {
            sources += try WAL.segmentIndices(path).map { path + "/" + WALSegment.name($0) }
        }
        let from = previous?.index ?? 0
        sources += try WAL.segmentIndices(directory).filter { $0 > from && $0 <= through }.map {
            directory + "/" + WALSegment.name($0)
        }
        var foreign: Set<String> = []
        for path in sources {
            let bytes = try FS.readFile(path)
            let (goodEnd, corruption) = WALSegment.read(bytes) { record in
                switch record {
                case .series(let list): series += list.filter { keep($0.ref) }
                case .samples(let list): samples += list.filter { $0.t >= minTime && keep($0.ref) }
                }
            }
            // A whole header that is not ours (a newer version, say): keep the file.
            if corruption != nil && goodEnd == 0 && bytes.count >= WALSegment.headerSize { foreign.insert(path) }
        }

        let final = directory + "/" + prefix + WALSegment.name(through)
        let tmp = final + ".tmp"
        try FS.removeTree(tmp)
        try FS.mkdirs(tmp)
        var buf = WALSegment.header
        // Records are bounded in size so a reader never needs one huge allocation.
        for part in stride(from: 0, to: series.count, by: 10_000) {
            WALSegment.frame(.series(Array(series[part..<min(part + 10_000, series.count)])), into: &buf)
        }
        for part in stride(from: 0, to: samples.count, by: 50_000) {
            WALSegment.frame(.samples(Array(samples[part..<min(part + 50_000, samples.count)])), into: &buf)
        }
        let file = try RawFile(path: tmp + "/" + WALSegment.name(0), flags: O_WRONLY | O_CREAT | O_TRUNC)
        let (_, error) = file.writeAll(buf)
        if let error { throw error }
        try file.sync()
        try FS.syncDirectory(tmp)
        try FS.removeTree(final)
        try FS.rename(tmp, final)
        try FS.syncDirectory(directory)

        var removed = 0
        for segment in try WAL.segmentIndices(directory) where segment <= through {
            let path = directory + "/" + WALSegment.name(segment)
            if foreign.contains(path) { continue }
            try FS.remove(path)
            removed += 1
        }
        for name in try FS.list(directory) where name.hasPrefix(prefix) && name != prefix + WALSegment.name(through) {
            try FS.removeTree(directory + "/" + name)
        }
        return Stats(throughSegment: through, seriesKept: series.count, samplesKept: samples.count, segmentsRemoved: removed)
    }

    /// The newest complete checkpoint, if any.
    static func latest(in directory: String) throws(FileIOError) -> (index: Int, path: String)? {
        var best: (Int, String)?
        for name in try FS.list(directory) where name.hasPrefix(prefix) && !name.hasSuffix(".tmp") {
            guard let index = WALSegment.index(ofName: String(name.dropFirst(prefix.count))) else { continue }
            if best == nil || index > best?.0 ?? 0 { best = (index, directory + "/" + name) }
        }
        return best
    }
}
