import Testing
import TundraModel

@Suite struct SelectorTextTests {
    /// Matchers as Prometheus prints them, so expectations read like the selectors themselves.
    private func parsed(_ text: String) throws -> [String] {
        try SelectorText.parse(text).map(\.description)
    }

    private func failure(_ text: String) -> SelectorError? {
        #expect(throws: SelectorError.self) { try SelectorText.parse(text) }
    }

    @Test func parsesEachMatcherKind() throws {
        let m = try SelectorText.parse(#"{a="1", b!="2", c=~"x|y", d!~"z.*"}"#)
        #expect(m.map(\.kind) == [.equal, .notEqual, .regexMatch, .regexNoMatch])
        #expect(m.map(\.name) == ["a", "b", "c", "d"])
        #expect(m.map(\.value) == ["1", "2", "x|y", "z.*"])
        #expect(m[2].matches("y") && !m[2].matches("xy"))
        #expect(!m[3].matches("zoo") && m[3].matches("az"))
    }

    @Test func metricNameFormsBecomeANameMatcher() throws {
        #expect(try parsed("up") == [#"__name__="up""#])
        #expect(try parsed("node:cpu:rate5m") == [#"__name__="node:cpu:rate5m""#])
        #expect(try parsed(":_x9") == [#"__name__=":_x9""#])
        #expect(try parsed(#"up{job="api"}"#) == [#"__name__="up""#, #"job="api""#])
        #expect(try parsed("up{}") == [#"__name__="up""#])
        #expect(try parsed(#"{__name__=~"up|down"}"#) == [#"__name__=~"up|down""#])
    }

    @Test func whitespaceIsAllowedAroundEveryToken() throws {
        #expect(try parsed(" \t up \n { job = \"api\" ,\r\n env !~ 'dev' , } \n") == [#"__name__="up""#, #"job="api""#, #"env!~"dev""#])
        #expect(try parsed("{a=\"b\"}") == [#"a="b""#])
    }

    @Test func aTrailingCommaInsideBracesIsAllowed() throws {
        #expect(try parsed(#"{a="b",}"#) == [#"a="b""#])
        #expect(try parsed(#"m{a="b", c="d",}"#) == [#"__name__="m""#, #"a="b""#, #"c="d""#])
    }

    @Test func valuesMayUseAnyOfTheThreeQuotes() throws {
        #expect(try SelectorText.parse(#"{a='x"y'}"#).first?.value == #"x"y"#)
        #expect(try SelectorText.parse(#"{a="x'y"}"#).first?.value == "x'y")
        // Backticks are raw: backslashes stay, and the string may span lines.
        #expect(try SelectorText.parse(#"{a=`\d+\n`}"#).first?.value == #"\d+\n"#)
        #expect(try SelectorText.parse("{a=`x\ny`}").first?.value == "x\ny")
        #expect(try SelectorText.parse(#"{a="é😀"}"#).first?.value == "é😀")
    }

    @Test(arguments: [
        (#"\\"#, "\\"), (#"\""#, "\""), (#"\n"#, "\n"), (#"\t"#, "\t"), (#"\r"#, "\r"), (#"\a"#, "\u{07}"),
        (#"\b"#, "\u{08}"), (#"\f"#, "\u{0C}"), (#"\v"#, "\u{0B}"), (#"\x41"#, "A"), (#"\xc3\xa9"#, "é"),
        (#"\u00e9"#, "é"), (#"\U0001F600"#, "😀"), (#"\101"#, "A"), (#"\000"#, "\u{0}"), (#"\303\251"#, "é"),
        (#"a\tb\\c"#, "a\tb\\c"),
    ])
    func doubleQuotedEscapes(_ escaped: String, _ value: String) throws {
        #expect(try SelectorText.parse("{a=\"\(escaped)\"}").first?.value == value)
    }

    @Test func singleQuotedStringsEscapeTheirOwnQuote() throws {
        #expect(try SelectorText.parse(#"{a='it\'s\n'}"#).first?.value == "it's\n")
        #expect(try SelectorText.parse(#"{a='\x41\u00e9'}"#).first?.value == "Aé")
    }

    @Test func regexMatchersAreAnchored() throws {
        let m = try SelectorText.parse(#"{job=~"batch.*"}"#)
        #expect(m.first?.matches("batch-1") == true)
        #expect(m.first?.matches("a-batch") == false)
    }

    @Test func errorsNameThePositionAndWhatWasExpected() {
        let e = failure(#"{a="b""#)
        #expect(e == SelectorError(text: #"{a="b""#, position: 6, reason: #"expected "," or "}", found end of text"#))
        #expect(e?.description == #"selector {a="b": at character 6: expected "," or "}", found end of text"#)
    }

    @Test(arguments: [
        ("", 0, #"expected metric name or "{", found end of text"#),
        ("   ", 3, #"expected metric name or "{", found end of text"#),
        ("1up", 0, #"expected metric name or "{", found "1""#),
        ("up-time", 2, #"expected "{" or end of text, found "-""#),
        ("up down", 3, #"expected "{" or end of text, found "d""#),
        (#"{a="b"} x"#, 8, #"expected end of text, found "x""#),
        (#"{a="b"}}"#, 7, #"expected end of text, found "}""#),
        ("{", 1, #"expected label name or "}", found end of text"#),
        ("{,}", 1, #"expected label name or "}", found ",""#),
        (#"{a="b",,}"#, 7, #"expected label name or "}", found ",""#),
        (#"{1a="b"}"#, 1, #"expected label name or "}", found "1""#),
        (#"{"a"="b"}"#, 1, #"expected label name or "}", found "\"""#),
        (#"{a:b="c"}"#, 2, #"expected one of "=", "!=", "=~", "!~", found ":""#),
        (#"{a=="b"}"#, 3, #"expected a quoted string, found "=""#),
        (#"{a!"b"}"#, 2, #"expected one of "=", "!=", "=~", "!~", found "!""#),
        (#"{a~"b"}"#, 2, #"expected one of "=", "!=", "=~", "!~", found "~""#),
        ("{a=b}", 3, #"expected a quoted string, found "b""#),
        (#"{a="b" c="d"}"#, 7, #"expected "," or "}", found "c""#),
    ])
    func syntaxErrors(_ text: String, _ position: Int, _ reason: String) {
        #expect(failure(text) == SelectorError(text: text, position: position, reason: reason))
    }

    @Test(arguments: [
        (#"{a="b"#, 3, "unterminated quoted string"),
        ("{a='b\n'}", 3, "unterminated quoted string"),
        ("{a=`b}", 3, "unterminated raw string"),
        (#"{a="\q"}"#, 4, #"unknown escape sequence "\q""#),
        (#"{a="\'"}"#, 4, #"unknown escape sequence "\'""#),
        (#"{a='\"'}"#, 4, #"unknown escape sequence "\"""#),
        ("{a=\"\\ \"}", 4, "unknown escape sequence: backslash before U+0020"),
        ("{a=`\\ `, b=\"\\\n\"}", 12, "unknown escape sequence: backslash before U+000A"),
        (#"{a="x\"#, 5, "escape sequence not terminated"),
        (#"{a="\x4g"}"#, 4, #"escape sequence "\x4" needs 2 hexadecimal digits"#),
        (#"{a="\u12"}"#, 4, #"escape sequence "\u12" needs 4 hexadecimal digits"#),
        (#"{a="\18"}"#, 4, #"escape sequence "\1" needs 3 octal digits"#),
        (#"{a="\400"}"#, 4, #"escape sequence "\400" is above \377"#),
        (#"{a="\ud800"}"#, 4, #"escape sequence "\ud800" is not a valid Unicode code point"#),
        (#"{a="\U00110000"}"#, 4, #"escape sequence "\U00110000" is not a valid Unicode code point"#),
        (#"{a="\xff"}"#, 3, "escape sequences in the string do not form valid UTF-8"),
    ])
    func stringErrors(_ text: String, _ position: Int, _ reason: String) {
        #expect(failure(text) == SelectorError(text: text, position: position, reason: reason))
    }

    @Test func positionsCountCharactersNotBytes() {
        #expect(failure(#"{a="é" b}"#)?.position == 7)
    }

    @Test func anEmptySelectorIsRefused() {
        #expect(failure("{}") == SelectorError(text: "{}", position: 0, reason: "a selector needs at least one matcher"))
        #expect(failure(" { , } ")?.reason == #"expected label name or "}", found ",""#)
        #expect(failure("  { }")?.position == 2)
    }

    @Test(arguments: [#"{a=""}"#, #"{a=~".*"}"#, #"{a!~".+"}"#, #"{a=~"x|"}"#, #"{a="", b=~".*"}"#])
    func aSelectorMatchingTheEmptyStringIsRefused(_ text: String) {
        #expect(failure(text) == SelectorError(text: text, position: 0, reason: "at least one matcher must not match the empty string"))
    }

    @Test func oneMatcherThatNeedsAValueIsEnough() throws {
        #expect(try parsed(#"{a="", b!=""}"#) == [#"a="""#, #"b!="""#])
        #expect(try parsed(#"{a=~".*", b=~".+"}"#) == [#"a=~".*""#, #"b=~".+""#])
    }

    @Test func aMetricNameAndANameMatcherAreRefused() {
        let text = #"up{job="x", __name__="down"}"#
        #expect(failure(text) == SelectorError(text: text, position: 12, reason: #"metric name must not be set twice: "up" or "down""#))
        #expect(failure(#"up{__name__=~"u.*"}"#)?.reason == #"metric name must not be set twice: "up" or "u.*""#)
    }

    @Test func aBadRegexReportsTheMatcherErrorAtTheValue() throws {
        let text = #"{job="a", path=~"(unclosed"}"#
        let e = try #require(failure(text))
        #expect(e.position == 16)
        let matcherError = try #require(throws: MatcherError.self) { try Matcher(.regexMatch, "path", "(unclosed") }
        #expect(e.reason == matcherError.description)
        #expect(e.reason.hasPrefix(#"invalid regular expression "(unclosed": "#))
    }
}
