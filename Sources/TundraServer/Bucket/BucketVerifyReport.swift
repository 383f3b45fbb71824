import TundraBlock

/// What `tundra tools bucket verify` found: per block, the problems; for the bucket,
/// partial uploads and overlaps.
public struct BucketVerifyReport: Sendable, Equatable, Codable {
    public var blocks: [BlockVerification]
    public var partialUploads: [PartialUpload]
    /// Information, not problems: late data makes overlapping blocks legitimately,
    /// and the compactor merges them.
    public var overlaps: [BlockOverlap]
    /// No block has a problem and no upload is partial. Overlaps do not count.
    public var ok: Bool

    public init(blocks: [BlockVerification], partialUploads: [PartialUpload], overlaps: [BlockOverlap]) {
        self.blocks = blocks
        self.partialUploads = partialUploads
        self.overlaps = overlaps
        ok = blocks.allSatisfy(\.problems.isEmpty) && partialUploads.isEmpty
    }

    /// The number of problems, partial uploads included.
    public var problemCount: Int { blocks.reduce(0) { $0 + $1.problems.count } + partialUploads.count }
}

/// The checks of one block.
public struct BlockVerification: Sendable, Equatable, Codable {
    public var ulid: ULID
    public var problems: [BlockProblem]
    /// Series, chunks and samples as read from the index and chunks; nil when the
    /// block could not be read that far.
    public var counted: BlockStats?
    /// The block carries a deletion mark: it is on its way out.
    public var deletionMarked: Bool

    public init(ulid: ULID, problems: [BlockProblem], counted: BlockStats?, deletionMarked: Bool = false) {
        self.ulid = ulid
        self.problems = problems
        self.counted = counted
        self.deletionMarked = deletionMarked
    }
}

/// One thing wrong with a block.
public struct BlockProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// meta.json is missing, does not parse, has an unknown version or names another block.
        case meta
        /// A file the block needs is not in the bucket.
        case missingFile = "missing-file"
        /// The index does not open or a series entry does not read.
        case index
        /// Series are not in label order.
        case seriesOrder = "series-order"
        /// A chunk fails its CRC, has an unknown encoding or does not decode.
        case chunk
        /// A chunk or sample lies outside the block's or the chunk's time range.
        case timeRange = "time-range"
        /// meta.json's stats differ from what was counted.
        case stats
        /// The block's objects could not be fetched.
        case download
        /// Problems past the per-block limit, counted but not listed.
        case more
    }

    public var kind: Kind
    public var message: String
    /// Relative to the block: `index`, `chunks/000001`.
    public var file: String?
    public var offset: Int?

    public init(_ kind: Kind, _ message: String, file: String? = nil, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.offset = offset
    }

    init(_ kind: Kind, _ error: BlockError) {
        self.init(kind, "\(error.code): \(error.message)", file: error.file, offset: error.offset)
    }

    public var description: String {
        var s = "\(kind.rawValue): \(message)"
        if let file {
            s += " (\(file)"
            if let offset { s += " at offset \(offset)" }
            s += ")"
        }
        return s
    }
}

/// Two blocks of the same resolution (and rollup) whose time ranges overlap.
public struct BlockOverlap: Sendable, Equatable, Codable {
    public var resolution: Int64
    public var rollup: String?
    public var first: ULID
    public var second: ULID
    /// The shared range, [minTime, maxTime).
    public var minTime: Int64
    public var maxTime: Int64

    public init(resolution: Int64, rollup: String?, first: ULID, second: ULID, minTime: Int64, maxTime: Int64) {
        self.resolution = resolution
        self.rollup = rollup
        self.first = first
        self.second = second
        self.minTime = minTime
        self.maxTime = maxTime
    }

    /// Overlaps among `blocks`, leaving out blocks marked for deletion (a compacted
    /// block and its marked sources overlap by design). Pairs are listed once, by
    /// the first block's minTime.
    public static func find(in blocks: [BucketBlock]) -> [BlockOverlap] {
        let live = blocks.filter { $0.deletionMark == nil }
        let groups = Dictionary(grouping: live) { GroupKey(resolution: $0.resolution, rollup: $0.meta.tundra?.rollup) }
        var out: [BlockOverlap] = []
        for (key, group) in groups {
            let sorted = group.sorted { ($0.meta.minTime, $0.ulid) < ($1.meta.minTime, $1.ulid) }
            // Sweep: `open` holds the earlier blocks that still reach past the current start.
            var open: [BucketBlock] = []
            for b in sorted {
                open.removeAll { $0.meta.maxTime <= b.meta.minTime }
                for a in open {
                    out.append(
                        BlockOverlap(
                            resolution: key.resolution, rollup: key.rollup, first: a.ulid, second: b.ulid, minTime: b.meta.minTime,
                            maxTime: min(a.meta.maxTime, b.meta.maxTime)))
                }
                open.append(b)
            }
        }
        return out.sorted { ($0.minTime, $0.first, $0.second) < ($1.minTime, $1.first, $1.second) }
    }

    private struct GroupKey: Hashable {
        var resolution: Int64
        var rollup: String?
    }
}
