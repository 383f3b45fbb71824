import Logging
import Testing
import TundraHead
import TundraModel

@testable import TundraIngest

@Suite struct TextStreamIngesterTests {
    @Test func linesSplitAcrossFeedsAreJoinedAndBadLinesDoNotCostGoodOnes() throws {
        let head = try Head(directory: nil, logger: Logger(label: "test"))
        var ingester = TextStreamIngester(head: head, now: { 42 })
        var r = try ingester.feed(Array("a{x=\"1\"} 1 1000\nbroken line\na{x=\"1\"} 2 20".utf8))
        #expect(r.linesTotal == 2)
        #expect(r.append.appended == 1)
        #expect(r.parseErrors.map(\.line) == [2])
        r = try ingester.feed(Array("00\nb 5\n".utf8))
        #expect(r.linesTotal == 4)
        #expect(r.append.appended == 2)
        let a = try head.select([.equal("__name__", "a")], mint: .min, maxt: .max)
        #expect(a.first?.samples == [Sample(t: 1000, v: 1), Sample(t: 2000, v: 2)])
        let b = try head.select([.equal("__name__", "b")], mint: .min, maxt: .max)
        #expect(b.first?.samples == [Sample(t: 42, v: 5)], "a line without a timestamp gets now()")
    }

    @Test func finishParsesALastLineWithoutNewline() throws {
        let head = try Head(directory: nil, logger: Logger(label: "test"))
        var ingester = TextStreamIngester(head: head, now: { 0 })
        #expect(try ingester.feed(Array("m 1 5".utf8)).append.appended == 0)
        #expect(try ingester.finish().append.appended == 1)
    }

    @Test func samplesOfOneSeriesInABatchAreStoredInTimeOrder() throws {
        let head = try Head(directory: nil, logger: Logger(label: "test"))
        var ingester = TextStreamIngester(head: head, now: { 0 })
        let r = try ingester.feed(Array("m 3 3000\nm 1 1000\nm 2 2000\n".utf8))
        #expect(r.append.appended == 3)
        let got = try head.select([.equal("__name__", "m")], mint: .min, maxt: .max).first?.samples.map(\.t)
        #expect(got == [1000, 2000, 3000])
    }
}
