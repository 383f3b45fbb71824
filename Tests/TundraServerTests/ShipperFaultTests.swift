import Foundation
import Logging
import Testing
import TundraBlock
import TundraModel
import TundraObjectStore
import TundraTestSupport

@testable import TundraServer

/// Shipping blocks to SeaweedFS through a proxy that fails requests: the blocks
/// arrive whole, and a block whose upload never finished is not taken for one.
@Suite struct ShipperFaultTests {
    /// An S3 store talking to SeaweedFS through the proxy.
    static func store(_ weed: SeaweedFSProcess, _ proxy: FaultProxy, retries: Int) throws -> S3Store {
        var config = S3BucketConfig(bucket: weed.bucket, endpoint: proxy.endpoint)
        config.insecure = true
        config.accessKey = weed.accessKey
        config.secretKey = weed.secretKey
        config.retry = RetryPolicy(maxRetries: retries, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
        return try S3Store(config: config, logger: Logger(label: "test"))
    }

    @Test func blocksArriveWholeThroughFaults() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let dir = try TempDir("ship-faults")
        defer { dir.remove() }
        typealias Rule = FaultProxy.Rule
        let proxy = try FaultProxy(
            upstreamPort: weed.s3Port,
            rules: [
                Rule(method: "PUT", targetContains: "/chunks/", .dropRequestMidBody),
                Rule(method: "PUT", targetContains: "/index", .internalError),
                Rule(method: "PUT", targetContains: "/index", .dropResponseMidBody),
                Rule(method: "PUT", targetContains: "/meta.json", .slowDown),
                Rule(method: "HEAD", targetContains: "/meta.json", .internalError),
            ])
        defer { proxy.stop() }
        let store = try Self.store(weed, proxy, retries: 5)

        let blocks = dir.path + "/blocks"
        try FileManager.default.createDirectory(atPath: blocks, withIntermediateDirectories: true)
        var sent: [Labels: [Sample]] = [:]
        var series: [(labels: Labels, chunks: [SeriesChunk])] = []
        for i in 0..<200 {
            let labels = Labels(["__name__": "disk_used_bytes", "disk": "d\(i)"])
            let samples = (0..<240).map { Sample(t: Int64($0) * 15_000, v: Double(i * 1000 + $0)) }
            sent[labels] = samples
            series.append((labels, try SampleChunker.chunks(samples)))
        }
        let meta = try BlockWriter.write(parentDirectory: blocks, minTime: 0, maxTime: 3_600_000, series: series)

        let shipper = try await Shipper(store: store, directory: blocks, localRetentionMs: nil, logger: Logger(label: "test"))
        let shipped = try await shipper.shipPending()
        #expect(shipped.map(\.ulid) == [meta.ulid])
        #expect(store.retryCount == 5, "every fault cost one retry")

        // What is in the bucket reads back as the same block.
        let copy = dir.path + "/copy/" + meta.ulid.description
        for object in try await store.list(prefix: meta.ulid.description + "/").objects {
            let path = dir.path + "/copy/" + object.key
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(try await store.get(object.key)).write(to: URL(fileURLWithPath: path))
        }
        let reader = try BlockReader(directory: copy)
        #expect(reader.meta == meta)
        for s in try reader.select(matchers: [try Matcher(.equal, "__name__", "disk_used_bytes")]) {
            #expect(try reader.samples(of: s) == sent[s.labels])
        }
    }

    @Test func anUploadThatFailsForGoodLeavesNoMetaJSON() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let dir = try TempDir("ship-fail")
        defer { dir.remove() }
        typealias Rule = FaultProxy.Rule
        // The index upload fails more often than the store retries.
        let proxy = try FaultProxy(
            upstreamPort: weed.s3Port, rules: Array(repeating: Rule(method: "PUT", targetContains: "/index", .internalError), count: 4))
        defer { proxy.stop() }
        let store = try Self.store(weed, proxy, retries: 2)
        let blocks = dir.path + "/blocks"
        try FileManager.default.createDirectory(atPath: blocks, withIntermediateDirectories: true)
        let samples = (0..<100).map { Sample(t: Int64($0) * 1000, v: Double($0)) }
        let meta = try BlockWriter.write(
            parentDirectory: blocks, minTime: 0, maxTime: 3_600_000, series: [(Labels(["__name__": "m"]), try SampleChunker.chunks(samples))])

        let shipper = try await Shipper(store: store, directory: blocks, localRetentionMs: nil, logger: Logger(label: "test"))
        await #expect(throws: ObjectStoreError.self) { try await shipper.shipPending() }
        #expect(try await store.head(meta.ulid.description + "/meta.json") == nil, "no meta.json: not a block for readers")
        #expect(await shipper.shipped[meta.ulid] == nil)
        // The proxy's faults are used up: the next check ships it whole.
        #expect(try await shipper.shipPending().map(\.ulid) == [meta.ulid])
        #expect(try await store.head(meta.ulid.description + "/meta.json") != nil)
    }
}
