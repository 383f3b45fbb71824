/// The `"tundra"` section of `meta.json`: what Prometheus' fields cannot say.
public struct TundraBlockInfo: Sendable, Equatable, Codable {
    /// Milliseconds per sample window: 0 for raw data, 60000 and 3600000 for rollups.
    public var resolution: Int64
    /// The aggregate a rollup block holds; nil for raw blocks.
    public var rollup: String?
    /// Who wrote the block.
    public var source: BlockSource
    /// The chunk encoding bytes that occur in the block (1 = XOR), so a reader can tell
    /// before any chunk read whether it can serve the block.
    public var chunkEncodings: [UInt8]

    public static let rawResolution: Int64 = 0

    public init(resolution: Int64 = TundraBlockInfo.rawResolution, rollup: String? = nil, source: BlockSource, chunkEncodings: [UInt8] = []) {
        self.resolution = resolution
        self.rollup = rollup
        self.source = source
        self.chunkEncodings = chunkEncodings
    }

    enum CodingKeys: String, CodingKey {
        case resolution, rollup, source
        case chunkEncodings = "chunk_encodings"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resolution = try c.decodeIfPresent(Int64.self, forKey: .resolution) ?? 0
        rollup = try c.decodeIfPresent(String.self, forKey: .rollup)
        source = try c.decode(BlockSource.self, forKey: .source)
        chunkEncodings = try c.decodeIfPresent([UInt8].self, forKey: .chunkEncodings) ?? []
    }
}

/// Who wrote a block. A string on disk, so a value from a newer version reads back
/// as itself rather than failing the whole meta.
public struct BlockSource: RawRepresentable, Sendable, Hashable, Codable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Cut from the head.
    public static let head = BlockSource(rawValue: "head")
    /// Merged or rolled up by the compactor.
    public static let compactor = BlockSource(rawValue: "compactor")
    /// Backfilled from samples or imported from another store.
    public static let `import` = BlockSource(rawValue: "import")
}
