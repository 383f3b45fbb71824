import Foundation
import Logging
import Testing
import TundraBlock
import TundraHead
import TundraModel
import TundraTestSupport

@testable import TundraServer

/// Cutting the head into local blocks: when a range is due, what goes into the
/// block, what stays in the head, and late samples after a cut.
@Suite struct BlockCutterTests {
    let logger = Logger(label: "test")
    static let minute: Int64 = 60_000

    func makeHead(_ dir: TempDir, range: Int64 = 10 * minute, late: Int64 = 2 * minute) throws -> Head {
        var options = HeadOptions()
        options.blockRange = range
        options.lateWindow = late
        return try Head(directory: dir.path + "/wal", options: options, logger: logger)
    }

    func series(_ i: Int) -> Labels { Labels(["__name__": "temp", "sensor": "s\(i)"]) }

    /// Every sample of every block in `dir`, by series.
    func blockSamples(_ dir: String) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for ulid in try BlockDirectory.blocks(in: dir) {
            let reader = try BlockReader(directory: dir + "/" + ulid.description)
            for s in try reader.select(matchers: [try Matcher(.regexMatch, "__name__", ".+")]) {
                out[s.labels, default: []] += try reader.samples(of: s)
            }
        }
        return out.mapValues { $0.sorted { $0.t < $1.t } }
    }

    @Test func nothingIsDueUntilTheHeadSpansOneAndAHalfRanges() throws {
        let dir = try TempDir("cutter")
        defer { dir.remove() }
        let head = try makeHead(dir)
        let cutter = BlockCutter(head: head, directory: dir.path + "/blocks", logger: logger)
        #expect(cutter.due() == nil)
        _ = try head.append([SeriesSamples(labels: series(0), samples: (0..<15).map { Sample(t: Int64($0) * Self.minute, v: 1) })])
        #expect(cutter.due() == nil, "14 minutes of a 10-minute range: not yet")
        _ = try head.append([SeriesSamples(labels: series(0), samples: [Sample(t: 16 * Self.minute, v: 1)])])
        #expect(cutter.due() == 10 * Self.minute)
    }

    @Test func aCutMovesTheOldestRangeIntoABlockAndLeavesTheRest() throws {
        let dir = try TempDir("cutter")
        defer { dir.remove() }
        let head = try makeHead(dir)
        let blocks = dir.path + "/blocks"
        try FileManager.default.createDirectory(atPath: blocks, withIntermediateDirectories: true)
        let cutter = BlockCutter(head: head, directory: blocks, logger: logger)
        var sent: [Labels: [Sample]] = [:]
        for i in 0..<20 {
            let samples = stride(from: Int64(0), to: 25 * Self.minute, by: 15_000).map { Sample(t: $0 + Int64(i), v: Double(i) + Double($0) / 1000) }
            sent[series(i)] = samples
            _ = try head.append([SeriesSamples(labels: series(i), samples: samples)])
        }
        let cut = try cutter.cutDue()
        #expect(cut.count == 1, "25 minutes of 10-minute ranges: [0, 10m) is due, [10m, 20m) is not")
        #expect(cut.first?.maxTime == 10 * Self.minute)
        #expect(cut.first?.stats.numSeries == 20)
        let inBlocks = try blockSamples(blocks)
        let inHead = try head.select([try Matcher(.regexMatch, "__name__", ".+")], mint: .min, maxt: .max)
        #expect(inHead.allSatisfy { $0.samples.allSatisfy { $0.t >= 10 * Self.minute } })
        for (labels, samples) in sent {
            let fromHead = inHead.first { $0.labels == labels }?.samples ?? []
            #expect((inBlocks[labels] ?? []) + fromHead == samples, "\(labels): every sample once, in a block or the head")
        }
        // The floor now lets late samples of the cut range in again, by the late window.
        #expect(head.floor == 8 * Self.minute)
    }

    @Test func lateSamplesForACutRangeGoIntoTheNextBlock() throws {
        let dir = try TempDir("cutter")
        defer { dir.remove() }
        let head = try makeHead(dir)
        let blocks = dir.path + "/blocks"
        try FileManager.default.createDirectory(atPath: blocks, withIntermediateDirectories: true)
        let cutter = BlockCutter(head: head, directory: blocks, logger: logger)
        _ = try head.append([SeriesSamples(labels: series(0), samples: (0...16).map { Sample(t: Int64($0) * Self.minute, v: 1) })])
        #expect(try cutter.cutDue().count == 1)
        // 9m30s is before the cut range's end but within the late window of the newest (16m).
        let late = try head.append([SeriesSamples(labels: series(1), samples: [Sample(t: 9 * Self.minute + 30_000, v: 7)])])
        #expect(late.appended == 1)
        let tooOld = try head.append([SeriesSamples(labels: series(1), samples: [Sample(t: 5 * Self.minute, v: 7)])])
        #expect(tooOld.appended == 0, "older than the floor")
        let all = try cutter.cutAll()
        #expect(all.count == 2, "the late sample's range, then [10m, 20m)")
        #expect(all.first?.minTime == 9 * Self.minute + 30_000)
        #expect(all.first?.maxTime == 10 * Self.minute, "it overlaps the first block, [0, 10m): the compactor merges them")
        #expect(try blockSamples(blocks)[series(1)] == [Sample(t: 9 * Self.minute + 30_000, v: 7)])
        #expect(head.timeRange() == nil, "a flush empties the head")
    }

    @Test func restartAfterACutReplaysOnlyWhatIsLeft() throws {
        let dir = try TempDir("cutter")
        defer { dir.remove() }
        let blocks = dir.path + "/blocks"
        try FileManager.default.createDirectory(atPath: blocks, withIntermediateDirectories: true)
        do {
            let head = try makeHead(dir)
            _ = try head.append([SeriesSamples(labels: series(0), samples: (0...16).map { Sample(t: Int64($0) * Self.minute, v: 1) })])
            #expect(try BlockCutter(head: head, directory: blocks, logger: logger).cutDue().count == 1)
            try head.close()
        }
        let reopened = try makeHead(dir)
        let left = try reopened.select([try Matcher(.equal, "__name__", "temp")], mint: .min, maxt: .max)
        #expect(left.first?.samples.map(\.t) == (10...16).map { Int64($0) * Self.minute })
    }
}
