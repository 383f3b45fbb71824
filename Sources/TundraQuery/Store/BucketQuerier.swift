import Foundation
import Synchronization
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore

/// The cold tier: answers selects from the blocks of a bucket, reading only the index
/// parts and chunks a query needs, with range GETs.
///
/// ```swift
/// let cold = try BucketQuerier(store: store, options: BucketQuerierOptions(cacheDirectory: "./data/store-cache"))
/// let hints = SelectHints(mint: t0, maxt: t1, maxResolution: .oneHour, rollup: .max)
/// let result = try cold.select([.equal("__name__", "up")], hints: hints)   // on a query thread
/// ```
///
/// - Blocks are found through the compactor's bucket manifest (one GET, repeated at
///   most every ``BucketQuerierOptions/manifestRefreshInterval``), never by LIST.
/// - A block is opened only when a query's time range overlaps it; its index header and
///   meta are cached on local disk, so opening it again, also after a restart, costs no
///   request. At most ``BucketQuerierOptions/openBlocks`` blocks stay open.
/// - Chunks, postings lists and series entries are read by range through a
///   ``ChunkCache`` of ``BucketQuerierOptions/chunkCacheBytes``; the chunks of a block
///   that one query needs are fetched together, nearby ranges in one GET.
/// - A block that fails to read fails the query with a ``StoreError`` naming it.
///
/// Every method blocks the calling thread on network requests: call them from query
/// threads, never from Swift's cooperative pool (see ``ObjectStoreBlockSource``). Safe
/// to call from many threads at once. Decoded samples are not kept between calls.
public final class BucketQuerier: Querier {
    public let store: any ObjectStore
    public let options: BucketQuerierOptions
    public let chunkCache: ChunkCache
    public let headerCache: IndexHeaderCache
    let openBlocks: OpenBlocks
    private let manifest = Mutex<ManifestState>(ManifestState())

    private struct ManifestState {
        var writtenAtMs: Int64?
        var usable: [BucketManifest.Block] = []
        var readAt: ContinuousClock.Instant?
    }

    public init(store: any ObjectStore, options: BucketQuerierOptions) throws {
        self.store = store
        self.options = options
        chunkCache = ChunkCache(capacity: options.chunkCacheBytes)
        headerCache = try IndexHeaderCache(directory: options.cacheDirectory)
        openBlocks = OpenBlocks(capacity: options.openBlocks)
    }

    /// Blocks open now.
    public var openBlockCount: Int { openBlocks.count }

    /// The blocks queries may read: from the manifest, read again when older than the
    /// refresh interval (or always, with `force`).
    ///
    /// A bucket without a manifest (the compactor has not run yet) has no blocks. When
    /// reading the manifest fails, the last one read is used and the read is tried
    /// again on the next call; with none read yet, the error is thrown.
    public func blocks(force: Bool = false) throws(StoreError) -> [BucketManifest.Block] {
        let now = ContinuousClock.now
        let current = manifest.withLock { s -> [BucketManifest.Block]? in
            guard !force, let at = s.readAt, now - at < options.manifestRefreshInterval else { return nil }
            return s.usable
        }
        if let current { return current }
        let key = options.manifestKey
        let store = store
        let read: BucketManifest
        do {
            read = try AsyncBridge.run { () async throws -> BucketManifest in
                do {
                    return try await BucketManifest.read(from: store, key: key)
                } catch ManifestError.notFound {
                    return BucketManifest(writtenAt: .distantPast)
                }
            }
        } catch {
            let fallback = manifest.withLock { s in s.writtenAtMs == nil ? nil : s.usable }
            if let fallback { return fallback }
            throw StoreError(block: nil, file: key, message: "cannot read the bucket manifest: \(error)")
        }
        let usable = UsableBlocks.select(read.blocks)
        let changed = manifest.withLock { s in
            defer {
                s.writtenAtMs = read.writtenAtMs
                s.usable = usable
                s.readAt = now
            }
            return s.writtenAtMs != read.writtenAtMs
        }
        // Cached headers of blocks gone from the bucket are of no further use.
        if changed { headerCache.prune(keeping: Set(read.blocks.map(\.meta.ulid))) }
        return usable
    }

    public func select(_ matchers: [Matcher], hints: SelectHints) throws -> SelectResult {
        let usable = try blocks()
        let marked = Set(usable.filter { $0.deletionMark != nil }.map(\.meta.ulid))
        let plan = ResolutionPlan(
            blocks: usable.map(\.meta), mint: hints.mint, maxt: hints.maxt,
            resolutions: ResolutionPlan.resolutions(maxResolution: hints.maxResolution, rollup: hints.rollup))
        var bySeries: [Labels: [ULID: BlockPart.Data]] = [:]
        for b in plan.blocks {
            let parts = try withBlock(b.meta, marked: marked.contains(b.meta.ulid)) { open throws(BlockError) in
                try read(open, matchers: matchers, mint: b.mint, maxt: b.maxt, rollup: b.resolution != .raw)
            }
            for (labels, data) in parts ?? [] { bySeries[labels, default: [:]][b.meta.ulid] = data }
        }
        let useRollup = hints.rollup.flatMap { use in bySeries.values.contains(where: { $0.values.contains(where: \.isRollup) }) ? use : nil }
        var series: [SeriesSamples] = []
        var counts: [[Double]] = []
        var resolutions: Set<QueryResolution> = []
        for (labels, parts) in bySeries.sorted(by: { $0.key < $1.key }) {
            let segments = plan.segments.map { s in
                SegmentParts(
                    resolution: s.resolution, interval: s.interval,
                    parts: s.blocks.compactMap { b in parts[b.ulid].map { BlockPart(block: b.ulid, data: $0) } })
            }
            if let use = useRollup {
                let (points, used) = try SeriesAssembly.converted(segments, use: use)
                guard !points.isEmpty else { continue }
                series.append(SeriesSamples(labels: labels, samples: points.map { Sample(t: $0.t, v: $0.v) }))
                counts.append(points.map(\.c))
                resolutions.formUnion(used)
            } else {
                let samples = SeriesAssembly.raw(segments)
                guard !samples.isEmpty else { continue }
                series.append(SeriesSamples(labels: labels, samples: samples))
                resolutions.insert(.raw)
            }
        }
        return SelectResult(series: series, resolutions: resolutions, rollup: useRollup, counts: useRollup == .sumAndCount ? counts : nil)
    }

    public func series(_ matchers: [[Matcher]], mint: Int64, maxt: Int64) throws -> [Labels] {
        var found: Set<Labels> = []
        try forEachBlock(mint: mint, maxt: maxt) { reader throws(BlockError) in
            for set in matcherSets(matchers) {
                for s in try reader.select(matchers: set, minTime: mint, maxTime: maxt) { found.insert(s.labels) }
            }
        }
        return found.sorted()
    }

    public func labelNames(_ matchers: [[Matcher]], mint: Int64, maxt: Int64) throws -> [String] {
        var names: Set<String> = []
        try forEachBlock(mint: mint, maxt: maxt) { reader throws(BlockError) in
            if matchers.isEmpty {
                names.formUnion(reader.labelNames())
                return
            }
            for set in matcherSets(matchers) {
                for s in try reader.select(matchers: set, minTime: mint, maxTime: maxt) { names.formUnion(s.labels.map(\.name)) }
            }
        }
        return names.sorted()
    }

    public func labelValues(_ name: String, _ matchers: [[Matcher]], mint: Int64, maxt: Int64) throws -> [String] {
        var values: Set<String> = []
        try forEachBlock(mint: mint, maxt: maxt) { reader throws(BlockError) in
            if matchers.isEmpty {
                values.formUnion(reader.labelValues(name))
                return
            }
            for set in matcherSets(matchers) {
                for s in try reader.select(matchers: set, minTime: mint, maxTime: maxt) {
                    if let v = s.labels[name] { values.insert(v) }
                }
            }
        }
        return values.sorted()
    }

    /// An empty list of matcher sets selects every series; so does an empty set.
    private func matcherSets(_ matchers: [[Matcher]]) -> [[Matcher]] {
        matchers.isEmpty ? [[]] : matchers
    }

    /// Runs `body` with the reader of every usable block overlapping [mint, maxt], of
    /// any resolution (rollups hold the same series as the raw blocks they replace, and
    /// may be all that is left of a time range).
    private func forEachBlock(mint: Int64, maxt: Int64, _ body: (BlockReader) throws(BlockError) -> Void) throws {
        let usable = try blocks()
        for b in usable where b.meta.minTime <= maxt && b.meta.maxTime > mint && ResolutionPlan.resolution(of: b.meta) != nil {
            _ = try withBlock(b.meta, marked: b.deletionMark != nil) { open throws(BlockError) in try body(open.reader) }
        }
    }
}

extension BlockPart.Data {
    var isRollup: Bool {
        if case .rollup(let chunks) = self { return !chunks.isEmpty }
        return false
    }
}
