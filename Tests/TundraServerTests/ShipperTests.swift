import Foundation
import Logging
import Testing
import TundraBlock
import TundraModel
import TundraObjectStore
import TundraTestSupport

@testable import TundraServer

/// The shipper against a filesystem bucket: order of uploads, the record that
/// survives restarts, and local copies removed after their retention.
@Suite struct ShipperTests {
    let logger = Logger(label: "test")

    func writeBlock(_ parent: String, minTime: Int64) throws -> BlockMeta {
        let samples = (0..<50).map { Sample(t: minTime + Int64($0) * 1000, v: Double($0)) }
        return try BlockWriter.write(
            parentDirectory: parent, minTime: minTime, maxTime: minTime + 60_000,
            series: [(Labels(["__name__": "m", "i": "\(minTime)"]), try SampleChunker.chunks(samples))])
    }

    /// A temporary folder with a local blocks folder and a filesystem bucket in it.
    static func folders() throws -> (TempDir, String, FilesystemStore) {
        let dir = try TempDir("shipper")
        let blocks = dir.path + "/blocks"
        try FileManager.default.createDirectory(atPath: blocks, withIntermediateDirectories: true)
        return (dir, blocks, try FilesystemStore(directory: dir.path + "/bucket"))
    }

    @Test func shipsEachBlockOnceWithMetaLastAndKeepsARecord() async throws {
        let (dir, blocks, bucket) = try Self.folders()
        defer { dir.remove() }
        let a = try writeBlock(blocks, minTime: 0)
        let b = try writeBlock(blocks, minTime: 60_000)

        let shipper = try await Shipper(store: bucket, directory: blocks, localRetentionMs: nil, logger: logger)
        let shipped = try await shipper.shipPending()
        #expect(Set(shipped.map(\.ulid)) == [a.ulid, b.ulid])
        for meta in [a, b] {
            let keys = try await bucket.list(prefix: meta.ulid.description + "/").keys
            #expect(keys.contains(meta.ulid.description + "/meta.json"))
            #expect(keys.contains(meta.ulid.description + "/index"))
            #expect(keys.contains(meta.ulid.description + "/chunks/000001"))
            // meta.json went up last: nothing of the block is newer.
            let infos = try await bucket.list(prefix: meta.ulid.description + "/").objects
            let metaTime = infos.first { $0.key.hasSuffix("meta.json") }?.lastModified ?? .distantPast
            #expect(infos.allSatisfy { $0.lastModified <= metaTime })
            // The uploaded block reads back whole.
            let local = try BlockReader(directory: blocks + "/" + meta.ulid.description)
            #expect(local.meta == meta)
        }
        #expect(try await shipper.shipPending().isEmpty, "nothing left to ship")

        // A restart reads the record and uploads nothing again.
        let again = try await Shipper(store: bucket, directory: blocks, localRetentionMs: nil, logger: logger)
        #expect(try await again.shipPending().isEmpty)
    }

    @Test func aLostRecordDoesNotUploadWhatIsAlreadyThere() async throws {
        let (dir, blocks, bucket) = try Self.folders()
        defer { dir.remove() }
        let meta = try writeBlock(blocks, minTime: 0)
        _ = try await Shipper(store: bucket, directory: blocks, localRetentionMs: nil, logger: logger).shipPending()
        let before = try await bucket.head(meta.ulid.description + "/index")
        try FileManager.default.removeItem(atPath: blocks + "/shipped.json")
        try await Task.sleep(for: .milliseconds(20))

        let shipper = try await Shipper(store: bucket, directory: blocks, localRetentionMs: nil, logger: logger)
        #expect(try await shipper.shipPending().map(\.ulid) == [meta.ulid], "recorded as shipped")
        #expect(try await bucket.head(meta.ulid.description + "/index") == before, "not uploaded again")
    }

    @Test func aPartialUploadIsUploadedAgainWhole() async throws {
        let (dir, blocks, bucket) = try Self.folders()
        defer { dir.remove() }
        let meta = try writeBlock(blocks, minTime: 0)
        // A crash after the chunks went up: no index, no meta.json in the bucket.
        try await bucket.putFile(meta.ulid.description + "/chunks/000001", path: blocks + "/\(meta.ulid)/chunks/000001")
        _ = try await Shipper(store: bucket, directory: blocks, localRetentionMs: nil, logger: logger).shipPending()
        let keys = try await bucket.list(prefix: meta.ulid.description + "/").keys
        #expect(keys == ["chunks/000001", "index", "meta.json"].map { meta.ulid.description + "/" + $0 })
    }

    @Test func localCopiesGoAfterTheirRetention() async throws {
        let (dir, blocks, bucket) = try Self.folders()
        defer { dir.remove() }
        let meta = try writeBlock(blocks, minTime: 0)
        let shipper = try await Shipper(store: bucket, directory: blocks, localRetentionMs: 60_000, logger: logger)
        try await shipper.shipPending()
        #expect(try await shipper.removeExpiredLocalCopies(now: Date()).isEmpty, "too early")
        #expect(FileManager.default.fileExists(atPath: blocks + "/" + meta.ulid.description))
        #expect(try await shipper.removeExpiredLocalCopies(now: Date() + 61).map(\.self) == [meta.ulid])
        #expect(!FileManager.default.fileExists(atPath: blocks + "/" + meta.ulid.description))
        #expect(try await bucket.head(meta.ulid.description + "/meta.json") != nil, "the bucket keeps it")
        #expect(try await shipper.shipPending().isEmpty)
    }
}
