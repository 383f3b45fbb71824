import Foundation
import Synchronization
import TundraBlock
import TundraCompaction
import TundraEncoding
import TundraModel
import TundraObjectStore
import TundraQuery
import TundraTestSupport

/// An object store that forwards to another and records every request with the bytes
/// it returned, so tests can say what a query fetched.
final class RecordingStore: ObjectStore {
    struct Request: Sendable, Equatable {
        var kind: RequestKind
        var key: String
        var range: Range<Int64>?
        var bytes: Int
    }

    let base: any ObjectStore
    private let log = Mutex<[Request]>([])

    init(_ base: any ObjectStore) { self.base = base }

    var requests: [Request] { log.withLock { $0 } }
    func reset() { log.withLock { $0 = [] } }
    func count(_ kind: RequestKind) -> Int { requests.filter { $0.kind == kind }.count }
    var bytesFetched: Int { requests.reduce(0) { $0 + $1.bytes } }

    private func record(_ r: Request) { log.withLock { $0.append(r) } }

    func put(_ key: String, bytes: [UInt8], ifNoneMatch: Bool) async throws {
        record(Request(kind: .put, key: key, bytes: 0))
        try await base.put(key, bytes: bytes, ifNoneMatch: ifNoneMatch)
    }

    func putFile(_ key: String, path: String) async throws {
        record(Request(kind: .put, key: key, bytes: 0))
        try await base.putFile(key, path: path)
    }

    func get(_ key: String) async throws -> [UInt8] {
        let b = try await base.get(key)
        record(Request(kind: .get, key: key, bytes: b.count))
        return b
    }

    func get(_ key: String, range: Range<Int64>) async throws -> [UInt8] {
        let b = try await base.get(key, range: range)
        record(Request(kind: .get, key: key, range: range, bytes: b.count))
        return b
    }

    func head(_ key: String) async throws -> ObjectInfo? {
        record(Request(kind: .head, key: key, bytes: 0))
        return try await base.head(key)
    }

    func list(prefix: String, delimiter: String?) async throws -> ObjectListing {
        record(Request(kind: .list, key: prefix, bytes: 0))
        return try await base.list(prefix: prefix, delimiter: delimiter)
    }

    func delete(_ key: String) async throws {
        record(Request(kind: .delete, key: key, bytes: 0))
        try await base.delete(key)
    }
}

/// Blocks written with `BlockWriter` (raw, or rolled up with `Downsampler`), uploaded as
/// the shipper and compactor do, and the bucket manifest written as the compactor
/// writes it.
struct StoreBucket {
    static let hour: Int64 = 3_600_000
    static let minute: Int64 = 60_000
    /// A multiple of 120 h, so 1h rollup chunks start with the data.
    static let t0: Int64 = 1_700_000_000_000 / (120 * hour) * (120 * hour)
    static let rollupAggregates = "count,sum,min,max,counter,resets"

    let store: any ObjectStore
    let scratch: TempDir

    init(store: any ObjectStore, scratch: TempDir) {
        self.store = store
        self.scratch = scratch
    }

    /// A filesystem bucket in a fresh folder.
    static func filesystem(_ name: String) throws -> StoreBucket {
        let scratch = try TempDir(name)
        return StoreBucket(store: try FilesystemStore(directory: scratch.path + "/bucket"), scratch: scratch)
    }

    var cacheDirectory: String { scratch.path + "/cache" }

    /// Writes a block of `series` over [from, to) at `resolution` (0 raw, else the
    /// samples rolled up to it, through 1m for 1h as the compactor does), uploads it, and
    /// returns its meta and the size of its files.
    @discardableResult
    func upload(
        _ series: [(Labels, [Sample])], from: Int64, to: Int64, resolution: Int64 = 0, sources: [ULID]? = nil
    ) async throws -> (meta: BlockMeta, size: Int) {
        let local = scratch.path + "/local"
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        var options = BlockWriterOptions()
        options.resolution = resolution
        if resolution != 0 {
            options.rollup = Self.rollupAggregates
            options.source = .compactor
        }
        if let sources { options.compaction = BlockCompaction(level: 2, sources: sources) }
        let chunked = try series.map { labels, samples -> (labels: Labels, chunks: [SeriesChunk]) in
            let inRange = samples.filter { $0.t >= from && $0.t < to }
            switch resolution {
            case 0: return (labels, try SampleChunker.chunks(inRange))
            case Self.minute: return (labels, try Downsampler.downsample(inRange, resolution: Self.minute).map(SeriesChunk.init))
            default:
                let minutes = try Downsampler.downsample(inRange, resolution: Self.minute)
                return (labels, try Downsampler.downsample(minutes, resolution: resolution).map(SeriesChunk.init))
            }
        }.filter { !$0.chunks.isEmpty }
        let meta = try BlockWriter.write(parentDirectory: local, minTime: from, maxTime: to, series: chunked, options: options)
        let dir = local + "/" + meta.ulid.description
        let size = try Self.folderSize(dir)
        try await BlockUpload.upload(store, localDirectory: dir, ulid: meta.ulid)
        try FileManager.default.removeItem(atPath: dir)
        return (meta, size)
    }

    /// The manifest as the compactor builds and writes it (the compactor LISTs; the
    /// querier under test never does).
    func writeManifest() async throws {
        let manifest = try await BucketManifest.build(from: store)
        try await manifest.write(to: store)
    }

    func mark(_ block: ULID) async throws {
        let mark = DeletionMark(id: block, deletionTime: Date())
        try await store.put(DeletionMark.key(for: block), bytes: try mark.encoded())
    }

    static func folderSize(_ dir: String) throws -> Int {
        var total = 0
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return 0 }
        for case let name as String in walker {
            let attrs = try FileManager.default.attributesOfItem(atPath: dir + "/" + name)
            if (attrs[.type] as? FileAttributeType) == .typeRegular { total += (attrs[.size] as? Int) ?? 0 }
        }
        return total
    }

    static func labels(_ i: Int, name: String = "requests_total") -> Labels {
        Labels(["__name__": name, "pod": "p\(i)", "env": i % 2 == 0 ? "prod" : "dev"])
    }

    /// A sample every `step` ms in [from, to) with `value(t)`.
    static func samples(from: Int64, to: Int64, step: Int64, _ value: (Int64) -> Double) -> [Sample] {
        stride(from: from, to: to, by: Int(step)).map { Sample(t: $0, v: value($0)) }
    }

    /// A counter that rises by varying amounts and resets now and then.
    static func counter(from: Int64, to: Int64, step: Int64, seed: UInt64) -> [Sample] {
        var rng = SeededRandom(seed: seed)
        var v = 100.0
        var out: [Sample] = []
        for t in stride(from: from, to: to, by: Int(step)) {
            if Double.random(in: 0..<1, using: &rng) < 0.002 {
                v = Double.random(in: 0..<5, using: &rng)
            } else {
                v += Double.random(in: 0..<10, using: &rng).rounded()
            }
            out.append(Sample(t: t, v: v))
        }
        return out
    }
}

/// Runs the blocking querier off the cooperative pool, as query threads do.
func onQueryThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await offPool(body)
}

/// Prometheus' `increase` before extrapolation: the rise between the first and last
/// sample, a drop counting as a reset to zero.
func rawIncrease(_ samples: [Sample]) -> Double {
    var total = 0.0
    for (a, b) in zip(samples, samples.dropFirst()) { total += b.v >= a.v ? b.v - a.v : b.v }
    return total
}
