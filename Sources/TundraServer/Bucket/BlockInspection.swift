import Foundation
import NIOPosix
import TundraCompaction
import TundraBlock
import TundraModel
import TundraObjectStore

/// What `tundra tools bucket inspect ULID` shows: the block's meta and files, its
/// label names with how many values each has, and the metric names with the most
/// series.
public struct BlockInspection: Sendable, Equatable, Codable {
    public var block: BucketBlock
    /// Sorted by name.
    public var labels: [LabelSummary]
    /// Most series first, then by name.
    public var topMetrics: [MetricSummary]
    /// Metric names in the block; `topMetrics` may list fewer.
    public var metricNames: Int

    public struct LabelSummary: Sendable, Equatable, Codable {
        public var name: String
        public var values: Int
    }

    public struct MetricSummary: Sendable, Equatable, Codable {
        public var name: String
        public var series: Int
    }

    public static let defaultTop = 20

    /// Downloads the block's meta.json and index (never its chunks: everything shown
    /// is in the index) into a folder under `workDirectory`, removed afterwards.
    public static func inspect(
        _ ulid: ULID, in store: any ObjectStore, workDirectory: String, top: Int = defaultTop
    ) async throws -> BlockInspection {
        let block: BucketBlock
        switch try await BucketInventory.entry(ulid, in: store) {
        case .block(let b): block = b
        case .unreadable(let u): throw ServerError("block \(ulid) cannot be read: \(u.problem)")
        case .partial(let p):
            throw ServerError("\(ulid) is a partial upload (\(p.objects) objects, \(p.size) bytes, no meta.json): there is no block to inspect")
        case .absent: throw ServerError("no block \(ulid) in the bucket")
        }
        let (dir, createdParent) = try BlockDownload.makeDirectory(under: workDirectory, for: ulid)
        defer { BlockDownload.removeDirectory(dir, parent: createdParent ? workDirectory : nil) }
        let needed = block.files.filter { $0.path == BlockMeta.fileName || $0.path == "index" }
        guard needed.count == 2 else { throw ServerError("block \(ulid) has no index") }
        try await BlockDownload.download(store, ulid: ulid, files: needed.map(\.download), to: dir)
        return try await NIOThreadPool.singleton.runIfActive {
            let reader = try BlockReader(directory: dir)
            let labels = reader.labelNames().map { LabelSummary(name: $0, values: reader.labelValues($0).count) }
            var perMetric: [String: Int] = [:]
            for s in try reader.select(matchers: []) { perMetric[s.labels.metricName ?? "", default: 0] += 1 }
            let ranked = perMetric.map { MetricSummary(name: $0.key, series: $0.value) }.sorted {
                ($0.series, $1.name) > ($1.series, $0.name)
            }
            return BlockInspection(block: block, labels: labels, topMetrics: Array(ranked.prefix(top)), metricNames: perMetric.count)
        }
    }
}
