import TundraCompaction

/// How a ``BucketQuerier`` caches and how often it looks for new blocks.
public struct BucketQuerierOptions: Sendable {
    /// Where index headers and metas of blocks are kept on local disk
    /// (`<cacheDirectory>/<ULID>/`); created when missing.
    public var cacheDirectory: String
    /// The most bytes of chunks, postings and series entries kept in memory.
    public var chunkCacheBytes: Int = 256 << 20
    /// The most blocks kept open at once (each holds its symbols and postings offsets
    /// in memory).
    public var openBlocks: Int = 32
    /// The bucket manifest is read again at most this often.
    public var manifestRefreshInterval: Duration = .seconds(60)
    /// Where the compactor writes the manifest.
    public var manifestKey: String = BucketManifest.defaultKey
    /// Range GETs in flight at once for one block's chunks.
    public var fetchConcurrency: Int = 8
    /// Chunk ranges this close to each other are fetched in one GET.
    public var coalesceGap: Int = 16 << 10
    /// The longest range fetched in one GET (capped at a quarter of the chunk cache).
    public var maxRangeLength: Int = 4 << 20

    public init(cacheDirectory: String) {
        self.cacheDirectory = cacheDirectory
    }
}
