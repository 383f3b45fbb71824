import Foundation
import Logging
import TundraBlock
import TundraCompaction
import TundraModel
import TundraObjectStore
import TundraTestSupport

/// Blocks written locally and uploaded as the shipper would, and the bucket read back
/// whole, for tests of compactor passes.
struct PassFixtures {
    static let hour: Int64 = 3_600_000
    let store: any ObjectStore
    let scratch: TempDir

    /// A raw block of `series` with a sample every `step` ms in [from, to).
    @discardableResult
    func upload(series: [Labels], from: Int64, to: Int64, step: Int64 = 15_000, value: (Labels, Int64) -> Double = { _, t in Double(t / 1000) })
        async throws -> BlockMeta
    {
        let samples = series.map { labels in (labels, stride(from: from, to: to, by: Int(step)).map { Sample(t: $0, v: value(labels, $0)) }) }
        return try await upload(samples, from: from, to: to)
    }

    @discardableResult
    func upload(_ series: [(Labels, [Sample])], from: Int64, to: Int64, options: BlockWriterOptions = BlockWriterOptions()) async throws -> BlockMeta {
        let local = scratch.path + "/local"
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        let meta = try BlockWriter.write(
            parentDirectory: local, minTime: from, maxTime: to,
            series: try series.map { (labels: $0.0, chunks: try SampleChunker.chunks($0.1)) }, options: options)
        try await BlockUpload.upload(store, localDirectory: local + "/" + meta.ulid.description, ulid: meta.ulid)
        try FileManager.default.removeItem(atPath: local + "/" + meta.ulid.description)
        return meta
    }

    /// Every live block of the bucket (from a fresh listing, not the manifest) at one
    /// resolution, downloaded and read back.
    func liveBlocks(resolution: Int64 = 0) async throws -> [(meta: BlockMeta, reader: BlockReader)] {
        let manifest = try await BucketManifest.build(from: store)
        var out: [(BlockMeta, BlockReader)] = []
        for block in manifest.liveBlocks where (block.meta.tundra?.resolution ?? 0) == resolution {
            let dir = scratch.path + "/read-" + UUID().uuidString
            let objects = try await store.list(prefix: block.meta.ulid.description + "/").objects
            let files = objects.map { BlockDownload.File(path: String($0.key.dropFirst(27)), size: $0.size) }
            try await BlockDownload.download(store, ulid: block.meta.ulid, files: files, to: dir)
            out.append((block.meta, try BlockReader(directory: dir)))
        }
        return out.sorted { $0.0.minTime < $1.0.minTime }
    }

    /// Every raw sample in live blocks, per series; a timestamp held by two blocks
    /// shows up twice.
    func rawSamples() async throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for (_, reader) in try await liveBlocks() {
            for s in try reader.select(matchers: []) { out[s.labels, default: []] += try reader.samples(of: s) }
        }
        return out.mapValues { $0.sorted { $0.t < $1.t } }
    }

    static func labels(_ i: Int, env: String = "prod") -> Labels {
        Labels(["__name__": "requests_total", "pod": "p\(i)", "env": env])
    }

    /// A clock fixed at `ms`.
    static func clock(at ms: Int64) -> WallClock {
        WallClock(now: { Date(timeIntervalSince1970: Double(ms) / 1000) }, sleep: { try await Task.sleep(for: $0) })
    }

    static func config(_ scratch: TempDir) -> CompactorConfig {
        var c = CompactorConfig()
        c.workDirectory = scratch.path + "/work"
        c.deletionDelayMs = 0
        c.levels = [2, 8, 48].map { $0 * hour }
        c.downsampling.enabled = false
        c.retention.periods = [.raw: nil, .oneMinute: nil, .oneHour: nil]
        return c
    }
}
