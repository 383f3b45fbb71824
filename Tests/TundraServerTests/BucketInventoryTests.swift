import Foundation
import Logging
import Testing
import TundraCompaction
import TundraBlock
import TundraModel
import TundraObjectStore
import TundraTestSupport

@testable import TundraServer

/// The bucket listing behind `tools bucket ls`: blocks with their meta and sizes,
/// partial uploads, unreadable metas and deletion marks.
@Suite struct BucketInventoryTests {
    @Test func listsBlocksByMinTimeWithSizesFromTheListing() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let later = try await f.addBlock(minTime: 7_200_000, maxTime: 14_400_000, series: 2, samples: 30)
        let earlier = try await f.addBlock(minTime: 0, maxTime: 7_200_000, series: 3, samples: 40)

        let inventory = try await BucketInventory.load(from: f.store)
        #expect(inventory.blocks.map(\.ulid) == [earlier.ulid, later.ulid])
        #expect(inventory.blocks[0].meta == earlier)
        #expect(inventory.blocks[0].meta.stats.numSamples == 120)
        #expect(Set(inventory.blocks[0].files.map(\.path)) == ["meta.json", "index", "chunks/000001"])
        #expect(inventory.blocks[0].size == (try f.bytesOnDisk(earlier.ulid)))
        #expect(inventory.partialUploads.isEmpty && inventory.unreadable.isEmpty)
    }

    @Test func aPrefixWithoutMetaIsAPartialUploadWithItsAge() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let id = ULID(milliseconds: 1_000)
        try await f.store.put("\(id)/chunks/000001", bytes: [UInt8](repeating: 7, count: 100))
        try await f.store.put("\(id)/index", bytes: [UInt8](repeating: 7, count: 50))
        // Not blocks: a foreign prefix and a root object.
        try await f.store.put("notes/readme", bytes: [1])
        try await f.store.put("bucket-manifest.json", bytes: [1])

        let inventory = try await BucketInventory.load(from: f.store, now: Date().addingTimeInterval(3600))
        #expect(inventory.blocks.isEmpty)
        #expect(inventory.partialUploads.count == 1)
        let p = try #require(inventory.partialUploads.first)
        #expect(p.prefix == id.description && p.objects == 2 && p.size == 150)
        #expect(p.ageSeconds >= 3590 && p.ageSeconds <= 3610, "\(p.ageSeconds)")
    }

    @Test func anUnparsableMetaIsReportedNotListedAsABlock() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        try await f.store.put("\(meta.ulid)/meta.json", bytes: Array("{\"version\": 1".utf8))
        let inventory = try await BucketInventory.load(from: f.store)
        #expect(inventory.blocks.isEmpty)
        #expect(inventory.unreadable.map(\.ulid) == [meta.ulid])
        #expect(inventory.unreadable.first?.problem.contains("cannot parse block meta") == true)
    }

    @Test func aDeletionMarkIsShown() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let meta = try await f.addBlock(minTime: 0, maxTime: 7_200_000)
        try await f.store.put("\(meta.ulid)/deletion-mark.json", bytes: Array("{\"id\":\"\(meta.ulid)\",\"deletion_time\":1700000000,\"version\":1}".utf8))
        let block = try #require(try await BucketInventory.load(from: f.store).blocks.first)
        #expect(block.deletionMark == MarkSeen(deletionTime: 1_700_000_000))
        #expect(BucketText.list(BucketInventory(blocks: [block])).contains("marked for deletion at 2023-11-14T22:13:20Z"))
    }

    @Test func anEmptyBucketHasNoBlocks() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        #expect(try await BucketInventory.load(from: f.store) == BucketInventory())
        #expect(try await BucketInventory.entry(ULID(milliseconds: 5), in: f.store) == .absent)
    }
}

/// A filesystem bucket with blocks written by ``BlockWriter`` and uploaded as the
/// shipper does.
struct BucketFixture {
    let dir: TempDir
    let store: FilesystemStore
    var bucket: String { dir.path + "/bucket" }
    var local: String { dir.path + "/local" }
    var work: String { dir.path + "/work" }

    init() throws {
        dir = try TempDir("bucket-tools")
        store = try FilesystemStore(directory: dir.path + "/bucket")
        try FileManager.default.createDirectory(atPath: dir.path + "/local", withIntermediateDirectories: true)
    }

    func remove() { dir.remove() }

    /// `series` series of metric `metric`, `samples` samples each, 10 s apart from minTime.
    @discardableResult
    func addBlock(
        minTime: Int64, maxTime: Int64, series: Int = 2, samples: Int = 20, metric: String = "requests_total", resolution: Int64 = 0
    ) async throws -> BlockMeta {
        let data = try (0..<series).map { i in
            let s = (0..<samples).map { Sample(t: minTime + Int64($0) * 10_000, v: Double(i * 1000 + $0)) }
            return (labels: Labels(["__name__": metric, "instance": "host-\(i)", "job": "api"]), chunks: try SampleChunker.chunks(s))
        }
        var options = BlockWriterOptions()
        options.resolution = resolution
        options.source = .import
        let meta = try BlockWriter.write(parentDirectory: local, minTime: minTime, maxTime: maxTime, series: data, options: options)
        try await BlockUpload.upload(store, localDirectory: local + "/" + meta.ulid.description, ulid: meta.ulid)
        return meta
    }

    func path(_ ulid: ULID, _ file: String) -> String { bucket + "/" + ulid.description + "/" + file }

    func bytesOnDisk(_ ulid: ULID) throws -> Int64 {
        try ["meta.json", "index", "chunks/000001"].reduce(Int64(0)) {
            $0 + ((try FileManager.default.attributesOfItem(atPath: path(ulid, $1))[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Flips the bits of the byte at `offset` (from the end when negative).
    func corrupt(_ ulid: ULID, _ file: String, at offset: Int) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(ulid, file))))
        let i = offset >= 0 ? offset : bytes.count + offset
        bytes[i] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path(ulid, file)))
    }
}
