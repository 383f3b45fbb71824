import Foundation

/// `<ULID>/meta.json`: what a block holds, in Prometheus' shape (`tsdb/block.go`
/// `BlockMeta`) plus a `"tundra"` section of ours, as Thanos adds `"thanos"`.
///
/// Fields Prometheus leaves out when zero (`omitempty`) may be missing on read; fields
/// we do not know (Thanos' section, newer Prometheus stats) are ignored.
public struct BlockMeta: Sendable, Equatable, Codable {
    /// The only `version` Prometheus has defined; anything else is refused on read.
    public static let formatVersion = 1
    public static let fileName = "meta.json"

    public var ulid: ULID
    /// The first millisecond the block may hold.
    public var minTime: Int64
    /// One past the last millisecond the block may hold (exclusive, as in Prometheus).
    public var maxTime: Int64
    public var stats: BlockStats
    public var compaction: BlockCompaction
    public var version: Int
    /// Absent in blocks written by Prometheus or Thanos.
    public var tundra: TundraBlockInfo?

    public init(
        ulid: ULID, minTime: Int64, maxTime: Int64, stats: BlockStats = BlockStats(),
        compaction: BlockCompaction, version: Int = BlockMeta.formatVersion, tundra: TundraBlockInfo? = nil
    ) {
        self.ulid = ulid
        self.minTime = minTime
        self.maxTime = maxTime
        self.stats = stats
        self.compaction = compaction
        self.version = version
        self.tundra = tundra
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ulid = try c.decode(ULID.self, forKey: .ulid)
        minTime = try c.decode(Int64.self, forKey: .minTime)
        maxTime = try c.decode(Int64.self, forKey: .maxTime)
        stats = try c.decodeIfPresent(BlockStats.self, forKey: .stats) ?? BlockStats()
        compaction = try c.decodeIfPresent(BlockCompaction.self, forKey: .compaction) ?? BlockCompaction(level: 1, sources: [ulid])
        version = try c.decode(Int.self, forKey: .version)
        tundra = try c.decodeIfPresent(TundraBlockInfo.self, forKey: .tundra)
    }

    /// Parses and checks a `meta.json`.
    public static func decode(_ bytes: [UInt8], file: String = BlockMeta.fileName) throws(BlockError) -> BlockMeta {
        let meta: BlockMeta
        do {
            meta = try JSONDecoder().decode(BlockMeta.self, from: Data(bytes))
        } catch {
            throw BlockError(.corrupt, "cannot parse block meta: \(error)", file: file)
        }
        guard meta.version == formatVersion else {
            throw BlockError(.unsupported, "block meta version \(meta.version), this build reads \(formatVersion)", file: file)
        }
        guard meta.minTime <= meta.maxTime else {
            throw BlockError(.corrupt, "block minTime \(meta.minTime) is after maxTime \(meta.maxTime)", file: file)
        }
        return meta
    }

    /// The JSON text, indented like Prometheus writes it.
    public func encoded() throws(BlockError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self)) + [0x0A]
        } catch {
            throw BlockError(.invalidInput, "cannot encode block meta: \(error)", file: BlockMeta.fileName)
        }
    }
}

public struct BlockStats: Sendable, Equatable, Codable {
    public var numSamples: UInt64
    public var numSeries: UInt64
    public var numChunks: UInt64

    public init(numSamples: UInt64 = 0, numSeries: UInt64 = 0, numChunks: UInt64 = 0) {
        self.numSamples = numSamples
        self.numSeries = numSeries
        self.numChunks = numChunks
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        numSamples = try c.decodeIfPresent(UInt64.self, forKey: .numSamples) ?? 0
        numSeries = try c.decodeIfPresent(UInt64.self, forKey: .numSeries) ?? 0
        numChunks = try c.decodeIfPresent(UInt64.self, forKey: .numChunks) ?? 0
    }
}

/// Which blocks a block was made from; Prometheus' planner reads `level` and `sources`.
public struct BlockCompaction: Sendable, Equatable, Codable {
    /// 1 for a block cut from a head or imported; one more than the highest parent
    /// level for a compacted block.
    public var level: Int
    /// The level-1 blocks whose data this block holds.
    public var sources: [ULID]
    /// The blocks merged directly into this one.
    public var parents: [BlockDescriptor]

    enum CodingKeys: String, CodingKey { case level, sources, parents }

    public init(level: Int, sources: [ULID], parents: [BlockDescriptor] = []) {
        self.level = level
        self.sources = sources
        self.parents = parents
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        level = try c.decodeIfPresent(Int.self, forKey: .level) ?? 1
        sources = try c.decodeIfPresent([ULID].self, forKey: .sources) ?? []
        parents = try c.decodeIfPresent([BlockDescriptor].self, forKey: .parents) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(level, forKey: .level)
        try c.encode(sources, forKey: .sources)
        // Prometheus omits an empty parents list; do the same so our metas diff cleanly.
        if !parents.isEmpty { try c.encode(parents, forKey: .parents) }
    }
}

public struct BlockDescriptor: Sendable, Equatable, Codable {
    public var ulid: ULID
    public var minTime: Int64
    public var maxTime: Int64

    public init(ulid: ULID, minTime: Int64, maxTime: Int64) {
        self.ulid = ulid
        self.minTime = minTime
        self.maxTime = maxTime
    }
}

extension ULID: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try ULID(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
