#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// When the WAL calls `fsync`.
public enum WALSyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// After every append batch, before it is acknowledged: survives power loss,
    /// costs a disk flush per request.
    case everyBatch
    /// At most this often, checked on each write and by ``WAL/syncIfDue()``. A
    /// killed process loses nothing (the kernel holds the data); power loss can lose
    /// up to one interval of acknowledged samples.
    case interval(milliseconds: Int)
    /// Only when a segment is closed.
    case never

    public var description: String {
        switch self {
        case .everyBatch: "batch"
        case .interval(let ms): "interval \(ms)ms"
        case .never: "never"
        }
    }
}

public struct WALOptions: Sendable {
    /// A segment is closed and a new one started past this size.
    public var segmentSize: Int = 128 << 20
    public var sync: WALSyncPolicy = .interval(milliseconds: 1000)

    public init(segmentSize: Int = 128 << 20, sync: WALSyncPolicy = .interval(milliseconds: 1000)) {
        self.segmentSize = segmentSize
        self.sync = sync
    }
}

/// The write-ahead log: numbered segment files of checksummed records in one folder.
///
/// ``log(_:)`` returns once the records have been handed to the kernel (and flushed
/// to disk under ``WALSyncPolicy/everyBatch``). When a write fails (a full disk, say)
/// the unwritten bytes stay queued and go out, in order, ahead of the next batch, so
/// a record is never skipped even if its batch was reported as failed.
public final class WAL: Sendable {
    public let directory: String
    public let options: WALOptions
    private let state: Mutex<State>

    private struct State {
        var file: RawFile?
        var segment: Int
        var size: Int
        var pending: [UInt8] = []
        /// The head of `pending` continues a record already partly in the file, so
        /// the segment must not change until it is out.
        var midRecord = false
        var dirty = false
        /// An interval fsync is running outside the lock.
        var syncing = false
        var lastSync = ContinuousClock.now
        var bytesWritten: Int = 0
        var syncs: Int = 0
        var syncNanos: Int = 0
    }

    /// Opens the WAL for writing in a new segment after the newest one on disk.
    /// Replay (``WALReplay``) reads the old segments first.
    public init(directory: String, options: WALOptions = WALOptions()) throws(FileIOError) {
        self.directory = directory
        self.options = options
        try FS.mkdirs(directory)
        let last = try WAL.segmentIndices(directory).last ?? 0
        let (file, size) = try WAL.createSegment(directory, last + 1)
        state = Mutex(State(file: file, segment: last + 1, size: size))
    }

    /// Appends records as one write. Encoding happens before the lock is taken.
    public func log(_ records: [WALRecord]) throws(FileIOError) {
        var buf: [UInt8] = []
        for r in records { WALSegment.frame(r, into: &buf) }
        try write(buf)
    }

    private func write(_ buf: [UInt8]) throws(FileIOError) {
        try state.withLock { (s: inout State) throws(FileIOError) -> Void in
            if s.pending.isEmpty {
                s.pending = buf
            } else {
                s.pending.append(contentsOf: buf)
            }
            if !s.midRecord && s.size > WALSegment.headerSize && s.size + s.pending.count > options.segmentSize {
                try rotate(&s)
            }
            guard let file = s.file else { throw FileIOError(operation: "write", path: directory, errno: EBADF) }
            let (written, error) = file.writeAll(s.pending)
            s.size += written
            s.bytesWritten += written
            s.dirty = s.dirty || written > 0
            if let error {
                s.pending.removeFirst(written)
                s.midRecord = s.midRecord || written > 0
                throw error
            }
            s.midRecord = false
            s.pending.removeAll(keepingCapacity: s.pending.capacity <= 1 << 20)
            if case .everyBatch = options.sync { try syncLocked(&s) }
        }
        if case .interval = options.sync { try syncIfDue() }
    }

    /// Flushes to disk if the interval policy says it is time; for a periodic timer.
    ///
    /// The fsync runs outside the lock: writers go on appending while the disk flushes
    /// (a flush under the lock stalled every appender for its length once a second).
    /// The file object is held meanwhile, so a segment rotated away stays open until
    /// the flush is done.
    public func syncIfDue() throws(FileIOError) {
        let due = state.withLock { (s: inout State) -> RawFile? in
            guard s.dirty, !s.syncing else { return nil }
            // `never` means only when a segment is closed, timer or not.
            if case .never = options.sync { return nil }
            if case .interval(let ms) = options.sync, ContinuousClock.now - s.lastSync < .milliseconds(ms) { return nil }
            s.dirty = false
            s.syncing = true
            s.lastSync = ContinuousClock.now
            return s.file
        }
        guard let file = due else { return }
        let start = ContinuousClock.now
        do {
            try file.sync()
        } catch {
            state.withLock { s in
                s.dirty = true
                s.syncing = false
            }
            throw error
        }
        let d = ContinuousClock.now - start
        state.withLock { s in
            s.syncing = false
            s.syncs += 1
            s.syncNanos += Int(d.components.seconds) * 1_000_000_000 + Int(d.components.attoseconds / 1_000_000_000)
        }
    }

    /// Flushes to disk now.
    public func sync() throws(FileIOError) {
        try state.withLock { (s: inout State) throws(FileIOError) -> Void in try syncLocked(&s) }
    }

    private func syncLocked(_ s: inout State) throws(FileIOError) {
        let start = ContinuousClock.now
        try s.file?.sync()
        s.dirty = false
        s.lastSync = ContinuousClock.now
        s.syncs += 1
        let d = s.lastSync - start
        s.syncNanos += Int(d.components.seconds) * 1_000_000_000 + Int(d.components.attoseconds / 1_000_000_000)
    }

    private func rotate(_ s: inout State) throws(FileIOError) {
        try s.file?.sync()
        let (file, size) = try WAL.createSegment(directory, s.segment + 1)
        s.file = file
        s.segment += 1
        s.size = size
    }

    /// Closes the current segment and starts the next; returns the index of the one
    /// closed, which everything logged so far is at or before. Checkpoints use it.
    public func cutSegment() throws(FileIOError) -> Int {
        try state.withLock { (s: inout State) throws(FileIOError) -> Int in
            let closed = s.segment
            try rotate(&s)
            return closed
        }
    }

    /// Flushes and closes. Further writes fail.
    public func close() throws(FileIOError) {
        try state.withLock { (s: inout State) throws(FileIOError) -> Void in
            if !s.pending.isEmpty, let file = s.file {
                let (written, error) = file.writeAll(s.pending)
                s.pending.removeFirst(written)
                if let error { throw error }
            }
            try s.file?.sync()
            s.file = nil
        }
    }

    public struct Stats: Sendable {
        public var segment: Int
        public var bytesWritten: Int
        public var syncs: Int
        public var syncSeconds: Double
        public var pendingBytes: Int
    }

    public var stats: Stats {
        state.withLock { s in
            Stats(
                segment: s.segment, bytesWritten: s.bytesWritten, syncs: s.syncs,
                syncSeconds: Double(s.syncNanos) / 1e9, pendingBytes: s.pending.count)
        }
    }

    static func segmentIndices(_ dir: String) throws(FileIOError) -> [Int] {
        try FS.list(dir).compactMap(WALSegment.index(ofName:)).sorted()
    }

    private static func createSegment(_ dir: String, _ index: Int) throws(FileIOError) -> (RawFile, Int) {
        let path = dir + "/" + WALSegment.name(index)
        let file = try RawFile(path: path, flags: O_WRONLY | O_CREAT | O_APPEND)
        var size = try file.size()
        if size == 0 {
            let (written, error) = file.writeAll(WALSegment.header)
            if let error { throw error }
            size = written
            try FS.syncDirectory(dir)
        }
        return (file, size)
    }
}
