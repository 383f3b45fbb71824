import Logging
import Synchronization
import TundraModel

/// The in-memory head: recent series, their Gorilla chunks, the inverted index and
/// the write-ahead log.
///
/// Safe to use from many tasks at once. Appends to different series proceed in
/// parallel (striped maps, a lock per series); creating a series is serialised,
/// which is rare once the set of series has settled.
///
/// ```swift
/// let head = try Head(directory: "data/wal", options: HeadOptions(), logger: logger)
/// let result = try head.append([SeriesSamples(labels: labels, samples: [Sample(t: now, v: 1)])])
/// let found = try head.select([.equal("__name__", "up")], mint: 0, maxt: now)
/// ```
public final class Head: Sendable {
    public let options: HeadOptions
    let logger: Logger
    let series: SeriesMap
    let wal: WAL?
    let walDirectory: String?

    /// Serialises series creation and removal, and guards what they change together:
    /// the postings index, the symbol table and the next ref.
    let index: Mutex<IndexState>
    /// Nothing older is accepted: that time has been cut into blocks.
    let minValidTime = Atomic<Int64>(.min)
    let counters = HeadCounters()
    private let replayed = Mutex(WALReplay.Stats())

    /// What the WAL replay at start found.
    public var replayStats: WALReplay.Stats { replayed.withLock { $0 } }

    struct IndexState {
        var postings = PostingsIndex()
        var symbols = Set<String>()
        var nextRef: SeriesRef = 1

        mutating func intern(_ s: String) -> String {
            if let i = symbols.firstIndex(of: s) { return symbols[i] }
            symbols.insert(s)
            return s
        }

        mutating func intern(_ labels: Labels) -> Labels {
            Labels(sorted: labels.map { Label(intern($0.name), intern($0.value)) })
        }
    }

    /// Opens a head. With a `directory`, the WAL there is replayed first (a torn
    /// tail is truncated with a warning) and new appends are logged to it; without
    /// one the head lives in memory only.
    ///
    /// `readOnly` replays without repairing or writing anything, for tools that
    /// inspect a data folder (another process may be writing to it).
    public init(
        directory: String?, options: HeadOptions = HeadOptions(), logger: Logger, readOnly: Bool = false
    ) throws(FileIOError) {
        self.options = options
        self.logger = logger
        self.series = SeriesMap(stripes: options.stripes)
        self.index = Mutex(IndexState())
        self.walDirectory = directory
        // The writer starts a new, empty segment first; replay then reads every
        // older one (and that empty one, harmlessly).
        wal = readOnly ? nil : try directory.map { (dir: String) throws(FileIOError) -> WAL in try WAL(directory: dir, options: options.wal) }
        if let directory {
            var loader = ReplayState()
            let stats = try WALReplay.replay(directory: directory, logger: logger, repair: !readOnly) { record in
                applyReplayed(record, &loader)
            }
            replayed.withLock { $0 = stats }
            if stats.records > 0 {
                logger.info(
                    "replayed WAL",
                    metadata: [
                        "records": "\(stats.records)", "segments": "\(stats.segments)",
                        "series": "\(counters.series.load(ordering: .relaxed))",
                        "samples": "\(loader.samples)", "unknown_refs": "\(loader.unknownRefs)",
                    ])
            }
        }
    }

    /// Flushes and closes the WAL.
    public func close() throws(FileIOError) {
        try wal?.close()
    }

    /// Flushes the WAL if its interval policy says so; call it from a timer.
    public func syncWALIfDue() throws(FileIOError) {
        try wal?.syncIfDue()
    }
}
