import Testing
import TundraFuzz
import TundraModel
import TundraTestSupport

@testable import TundraIngest

@Suite struct TextLineParserTests {
    let parser = TextLineParser()

    func parse(_ s: String) throws -> TextSample? { try parser.parse(Array(s.utf8), lineNumber: 7) }

    @Test func parsesNameLabelsValueAndTimestamp() throws {
        let s = try #require(try parse(#"http_requests_total{method="post",code="200"} 1027 1395066363000"#))
        #expect(s.labels == Labels(["__name__": "http_requests_total", "method": "post", "code": "200"]))
        #expect(s.value == 1027)
        #expect(s.timestamp == 1_395_066_363_000)
    }

    @Test func parsesBareNamesTrailingCommasSpacesAndNoTimestamp() throws {
        #expect(try parse("up 1")?.labels == Labels(["__name__": "up"]))
        #expect(try parse("up 1")?.timestamp == nil)
        #expect(try parse(#"m{a="1",} 2"#)?.labels == Labels(["__name__": "m", "a": "1"]))
        #expect(try parse(#"  m { a = "1" , b="2" }   3  4 "#)?.timestamp == 4)
        #expect(try parse("node:cpu:rate5m 0.5")?.labels.metricName == "node:cpu:rate5m")
    }

    @Test func unescapesLabelValues() throws {
        let s = try #require(try parse(#"m{p="a\"b\\c\nd"} 1"#))
        #expect(s.labels["p"] == "a\"b\\c\nd")
    }

    @Test func specialValuesAndStaleMarkersSurvive() throws {
        #expect(try parse("m NaN")?.value.isNaN == true)
        #expect(try parse("m +Inf")?.value == .infinity)
        #expect(try parse("m -Inf")?.value == -.infinity)
        #expect(try parse("m -1.5e-3")?.value == -0.0015)
    }

    @Test func commentsAndBlankLinesYieldNothing() throws {
        #expect(try parse("# HELP up whether the target is up") == nil)
        #expect(try parse("# TYPE up gauge") == nil)
        #expect(try parse("") == nil)
        #expect(try parse("   ") == nil)
    }

    struct BadLine: CustomTestStringConvertible, Sendable {
        let text: String
        let column: Int
        let fragment: String
        var testDescription: String { text }
    }

    @Test(arguments: [
        BadLine(text: "m{a=\"1\"", column: 8, fragment: "expected ',' or '}'"),
        BadLine(text: "m{a=1} 2", column: 5, fragment: "expected '\"'"),
        BadLine(text: "m{=\"1\"} 2", column: 3, fragment: "expected a label name"),
        BadLine(text: "m{a=\"1} 2", column: 10, fragment: "not terminated"),
        BadLine(text: "m{a=\"\\q\"} 2", column: 7, fragment: "invalid escape"),
        BadLine(text: "m", column: 2, fragment: "expected a sample value"),
        BadLine(text: "m abc", column: 3, fragment: "invalid sample value \"abc\""),
        BadLine(text: "m 1 12.5", column: 5, fragment: "invalid timestamp \"12.5\""),
        BadLine(text: "m 1 2 3", column: 7, fragment: "unexpected text"),
        BadLine(text: "1m 2", column: 1, fragment: "expected a metric name"),
        BadLine(text: "m{__name__=\"x\"} 1", column: 15, fragment: "__name__ inside braces"),
        BadLine(text: "m{a=\"1\",a=\"2\"} 1", column: 1, fragment: "duplicate label name \"a\""),
    ])
    func malformedLinesSayWhatAndWhere(_ bad: BadLine) {
        do {
            _ = try parser.parse(Array(bad.text.utf8), lineNumber: 3)
            Issue.record("parsed \(bad.text)")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == bad.column, "\(error)")
            #expect(error.message.contains(bad.fragment), "\(error)")
        }
    }

    @Test func hostileInputsAreRefusedWithoutCrashing() {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: (1 << 20) + 1)
        #expect(throws: TextParseError.self) { try parser.parse(huge, lineNumber: 1) }
        let manyLabels = "m{" + (0..<300).map { "l\($0)=\"v\"" }.joined(separator: ",") + "} 1"
        #expect(throws: TextParseError.self) { try parser.parse(Array(manyLabels.utf8), lineNumber: 1) }
        let invalidUTF8: [UInt8] = Array("m{a=\"".utf8) + [0xff, 0xfe] + Array("\"} 1".utf8)
        #expect(throws: TextParseError.self) { try parser.parse(invalidUTF8, lineNumber: 1) }
        let deep = String(repeating: "{", count: 10_000)
        #expect(throws: TextParseError.self) { try parser.parse(Array(("m" + deep).utf8), lineNumber: 1) }
    }

    @Test func randomMutationsNeverCrashTheParser() {
        var rng = SeededRandom(seed: 20_261_125)
        let seeds = [
            #"http_requests_total{method="post",code="200"} 1027 1395066363000"#, "up 1", #"m{p="a\"b\\c\nd"} NaN"#,
        ]
        var parsed = 0
        for i in 0..<20_000 {
            var bytes = Array(seeds[i % seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let pos = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[pos] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: pos)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: pos)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            parsed += TextFuzz.run(bytes)
        }
        // Some mutations stay valid (a changed digit); most do not. Both paths ran.
        #expect(parsed > 0 && parsed < 20_000, "seed \(rng.seed)")
    }
}
