import Foundation
import Testing
import TundraBlock
import TundraModel
import TundraObjectStore
import TundraTestSupport

@testable import TundraServer

/// `tools bucket inspect` and the text forms of the bucket tools.
@Suite struct BucketInspectionTests {
    @Test func showsLabelValueCountsAndTopMetricsFromTheIndexAlone() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let small = try await f.addBlock(minTime: 0, maxTime: 7_200_000, series: 4, metric: "up")
        let inspection = try await BlockInspection.inspect(small.ulid, in: f.store, workDirectory: f.work)
        #expect(inspection.block.meta == small)
        #expect(
            inspection.labels.map { [$0.name: $0.values] } == [["__name__": 1], ["instance": 4], ["job": 1]])
        #expect(inspection.topMetrics.map(\.name) == ["up"] && inspection.topMetrics.first?.series == 4)
        #expect(!FileManager.default.fileExists(atPath: f.work))

        let text = BucketText.inspect(inspection)
        #expect(text.hasPrefix("block \(small.ulid)\n"))
        #expect(text.contains("chunks/000001"))
        #expect(text.contains("  instance  ") && text.contains("label names (3)"))
        #expect(text.contains("top metric names by series (1 of 1)"))
    }

    @Test func aPartialUploadHasNothingToInspect() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let id = ULID(milliseconds: 7)
        try await f.store.put("\(id)/index", bytes: [1])
        await #expect(throws: ServerError.self) { try await BlockInspection.inspect(id, in: f.store, workDirectory: f.work) }
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_700_000_000_000, "2023-11-14T22:13:20Z"),
        (1_700_000_000_250, "2023-11-14T22:13:20.250Z"),
    ])
    func timesAreUTCISO8601(ms: Int64, text: String) {
        #expect(BucketText.time(ms) == text)
    }

    @Test func durationsResolutionsAndSizesAreShort() {
        #expect(BucketText.duration(7_200_000) == "2h")
        #expect(BucketText.duration(5_400_000) == "1h30m")
        #expect(BucketText.duration(90_061_000) == "1d1h")
        #expect(BucketText.duration(250) == "250ms")
        #expect(BucketText.resolution(0) == "raw")
        #expect(BucketText.resolution(60_000) == "1m")
        #expect(BucketText.resolution(3_600_000) == "1h")
        #expect(BucketText.bytes(512) == "512 B")
        #expect(BucketText.bytes(1536) == "1.5 KiB")
        #expect(BucketText.bytes(3 << 30) == "3.0 GiB")
    }

    @Test func theListIsATableByMinTime() async throws {
        let f = try BucketFixture()
        defer { f.remove() }
        let b = try await f.addBlock(minTime: 1_700_006_400_000, maxTime: 1_700_013_600_000, series: 3, samples: 40)
        let a = try await f.addBlock(minTime: 1_699_999_200_000, maxTime: 1_700_006_400_000, series: 2, samples: 10, resolution: 3_600_000)
        let lines = BucketText.list(try await BucketInventory.load(from: f.store)).split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("ULID "))
        #expect(lines[0].contains("MIN TIME") && lines[0].hasSuffix("SIZE"))
        let first = lines[1].split(separator: " ").map(String.init)
        #expect(first.prefix(7) == [a.ulid.description, "2023-11-14T22:00:00Z", "2023-11-15T00:00:00Z", "2h", "1h", "1", "import"])
        #expect(first[7] == "2" && first[8] == "20")
        #expect(lines[2].hasPrefix(b.ulid.description) && lines[2].contains(" raw "))
        #expect(lines[3] == "2 blocks, 140 samples, " + BucketText.bytes(try f.bytesOnDisk(a.ulid) + f.bytesOnDisk(b.ulid)))
    }
}
