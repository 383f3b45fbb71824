import TundraBlock
import TundraModel
import TundraObjectStore

/// What `tundra-compactor` reads from the configuration file: the shared `bucket:`
/// and `storage.data_dir`, and its own `compactor:`, `downsampling:` and `retention:`
/// sections. Every key is in docs/configuration.md.
public struct CompactorConfig: Sendable {
    public var bucket = BucketConfig.embeddedDefault
    /// `storage.data_dir`: where a filesystem bucket and the work folder go by default.
    public var dataDirectory = "./data"
    /// Local scratch space for downloaded inputs and new blocks; nil means
    /// `<data_dir>/compactor`.
    public var workDirectory: String?
    /// Block ranges in milliseconds, smallest first: blocks are merged into aligned
    /// windows of each range after the first.
    public var levels: [Int64] = [2, 8, 48, 336].map { $0 * CompactorConfig.hour }
    public var memoryBudgetBytes = 512 << 20
    /// How long a block stays in the bucket after its deletion mark.
    public var deletionDelayMs: Int64 = 48 * CompactorConfig.hour
    /// A block folder without `meta.json` that nobody touched for this long is an
    /// upload that will not finish.
    public var partialUploadAgeMs: Int64 = 24 * CompactorConfig.hour
    /// The Prometheus text file written after each pass; nil writes none.
    public var metricsFile: String?
    public var downsampling = Downsampling()
    public var retention = RetentionPolicy()

    public static let minute: Int64 = 60_000
    public static let hour: Int64 = 3_600_000
    public static let day: Int64 = 86_400_000

    public init() {}

    public var resolvedWorkDirectory: String { workDirectory ?? dataDirectory + "/compactor" }

    public struct Downsampling: Sendable {
        public var enabled = true
        /// Raw blocks whose newest sample is older than this get a 1m rollup.
        public var rawAfterMs: Int64 = 40 * CompactorConfig.hour
        /// 1m blocks whose newest window is older than this get a 1h rollup.
        public var oneMinuteAfterMs: Int64 = 10 * CompactorConfig.day

        public init() {}
    }
}

/// The resolutions a block can have, with the names the configuration uses.
public enum Resolution: Int64, Sendable, CaseIterable, CustomStringConvertible, Comparable {
    case raw = 0
    case oneMinute = 60_000
    case oneHour = 3_600_000

    public init?(block meta: BlockMeta) {
        self.init(rawValue: meta.tundra?.resolution ?? TundraBlockInfo.rawResolution)
    }

    /// `raw`, `1m`, `1h`.
    public var description: String {
        switch self {
        case .raw: "raw"
        case .oneMinute: "1m"
        case .oneHour: "1h"
        }
    }

    /// The next coarser resolution, which is made from this one.
    public var coarser: Resolution? {
        switch self {
        case .raw: .oneMinute
        case .oneMinute: .oneHour
        case .oneHour: nil
        }
    }

    public var finer: Resolution? {
        switch self {
        case .raw: nil
        case .oneMinute: .raw
        case .oneHour: .oneMinute
        }
    }

    public static func < (a: Resolution, b: Resolution) -> Bool { a.rawValue < b.rawValue }
}
