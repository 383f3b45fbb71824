import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

/// Matchers on their own, then as the head applies them to series.
@Suite struct MatcherTests {
    private func m(_ kind: Matcher.Kind, _ name: String, _ value: String) throws -> Matcher {
        try Matcher(kind, name, value)
    }

    @Test func equalityMatchers() throws {
        #expect(try m(.equal, "a", "x").matches("x"))
        #expect(try !m(.equal, "a", "x").matches("xy"))
        #expect(try m(.equal, "a", "").matches(""))
        #expect(try !m(.notEqual, "a", "x").matches("x"))
        #expect(try m(.notEqual, "a", "x").matches(""))
        #expect(Matcher.equal("a", "x").setMatches == ["x"])
        #expect(try m(.notEqual, "a", "x").setMatches == nil)
        #expect(try m(.notEqual, "a", "x").description == "a!=\"x\"")
        #expect(try m(.regexMatch, "a", "x\"y").description == "a=~\"x\\\"y\"")
    }

    @Test func regexesAreAnchored() throws {
        let a = try m(.regexMatch, "l", "a")
        #expect(a.matches("a"))
        for s in ["ab", "ba", "bab", "", "A"] { #expect(!a.matches(s), "\(s.debugDescription)") }
        let prefix = try m(.regexMatch, "l", "a.*")
        #expect(prefix.matches("a") && prefix.matches("abc"))
        #expect(!prefix.matches("ba"))
        let suffix = try m(.regexMatch, "l", ".*b")
        #expect(suffix.matches("ab") && !suffix.matches("abc"))
        let plus = try m(.regexMatch, "l", "a+")
        #expect(plus.matches("aaa") && !plus.matches("aab") && !plus.matches("baa"))
        // Alternations are anchored as a whole, not just their first and last branch.
        let alt = try m(.regexMatch, "l", "foo|ba.")
        #expect(alt.matches("foo") && alt.matches("bar"))
        for s in ["foobar", "xfoo", "barx", "fo"] { #expect(!alt.matches(s), "\(s.debugDescription)") }
        let lit = try m(.regexMatch, "l", "foo|bar")
        #expect(lit.setMatches == ["foo", "bar"])
        for s in ["foobar", "foo|bar", "xfoo", "barx"] { #expect(!lit.matches(s), "\(s.debugDescription)") }
        #expect(try m(.regexNoMatch, "l", "a").matches("ab"))
        #expect(try !m(.regexNoMatch, "l", "a|ab").matches("ab"))
    }

    @Test func regexEndAnchorDoesNotAcceptATrailingNewline() throws {
        // `$` in ICU also matches before a final line terminator; Prometheus' RE2
        // anchoring does not, so the pattern is anchored with \A and \z.
        let plus = try m(.regexMatch, "l", "a+")
        #expect(!plus.matches("a\n"))
        #expect(plus.matches("aa"))
        #expect(try !m(.regexMatch, "l", "(a|b)c").matches("ac\n"))
        // The literal fast path is exact.
        #expect(try !m(.regexMatch, "l", "a").matches("a\n"))
    }

    @Test func dotMatchesNewline() throws {
        #expect(try m(.regexMatch, "l", "x.y").matches("x\ny"))
        #expect(try m(.regexMatch, "l", ".*").matches("multi\nline"))
        #expect(try m(.regexMatch, "l", ".+").matches("\n"))
        #expect(try m(.regexMatch, "l", "a.*z").matches("a\n\nz"))
        #expect(try !m(.regexNoMatch, "l", "a.*z").matches("a\nz"))
    }

    @Test func emptyStringMatchers() throws {
        #expect(try m(.regexMatch, "l", ".*").matches(""))
        #expect(try !m(.regexMatch, "l", ".+").matches(""))
        #expect(try m(.regexMatch, "l", "|a").matches(""))
        #expect(try m(.regexMatch, "l", "|a").matches("a"))
        #expect(try !m(.regexMatch, "l", "|a").matches("b"))
        #expect(try m(.regexMatch, "l", "").matches(""))
        #expect(try !m(.regexMatch, "l", "").matches("a"))
        #expect(try m(.regexMatch, "l", "a?").matches(""))
        #expect(try m(.regexNoMatch, "l", ".+").matches(""))
    }

    @Test(arguments: ["(", "[a", "a{2,1}", "*", "a)", "(?<", "\\"])
    func invalidRegexThrows(pattern: String) throws {
        let e1 = #expect(throws: MatcherError.self) { try Matcher(.regexMatch, "l", pattern) }
        #expect(e1?.pattern == pattern)
        #expect(e1?.description.contains(pattern) == true)
        let e2 = #expect(throws: MatcherError.self) { try Matcher(.regexNoMatch, "l", pattern) }
        #expect(e2?.pattern == pattern)
        // Equality matchers take any text.
        #expect(try m(.equal, "l", pattern).matches(pattern))
    }

    // MARK: In the head

    let s1 = series("m", ["foo": "a"])
    let s2 = series("m", ["foo": "b"])
    let s3 = series("m", ["foo": "ab"])
    let s4 = series("m")
    let s5 = series("m", ["foo": "x\ny"])
    let s6 = series("n", ["foo": "a", "bar": "1"])

    private func makeHead() throws -> Head {
        let head = try Head(directory: nil, options: testOptions(), logger: testLogger)
        let r = try head.append([s1, s2, s3, s4, s5, s6].map { entry($0, [(1000, 1)]) })
        #expect(r.appended == 6)
        return head
    }

    @Test func selectWithMatchers() throws {
        let head = try makeHead()
        let all: Set<Labels> = [s1, s2, s3, s4, s5, s6]
        let cases: [([(Matcher.Kind, String, String)], Set<Labels>)] = [
            ([(.equal, "foo", "a")], [s1, s6]),
            ([(.equal, "foo", "")], [s4]),
            ([(.notEqual, "foo", "a")], [s2, s3, s4, s5]),
            ([(.notEqual, "foo", "x")], all),
            ([(.regexMatch, "foo", ".*")], all),
            ([(.regexMatch, "foo", ".+")], [s1, s2, s3, s5, s6]),
            ([(.regexMatch, "foo", "|a")], [s1, s4, s6]),
            ([(.regexMatch, "foo", "a")], [s1, s6]),
            ([(.regexMatch, "foo", "b")], [s2]),
            ([(.regexMatch, "foo", "a.*")], [s1, s3, s6]),
            ([(.regexMatch, "foo", ".*b")], [s2, s3]),
            ([(.regexMatch, "foo", "x.y")], [s5]),
            ([(.regexMatch, "foo", "a|b")], [s1, s2, s6]),
            ([(.regexMatch, "foo", "a|b.*")], [s1, s2, s6]),
            ([(.regexMatch, "foo", "(a|b)b?")], [s1, s2, s3, s6]),
            ([(.regexMatch, "foo", "(?i)A")], [s1, s6]),
            ([(.regexMatch, "foo", "A")], []),
            ([(.regexNoMatch, "foo", "a|b")], [s3, s4, s5]),
            ([(.regexNoMatch, "foo", ".*")], []),
            ([(.regexNoMatch, "foo", "")], [s1, s2, s3, s5, s6]),
            ([(.regexNoMatch, "foo", ".+")], [s4]),
            ([(.equal, "__name__", "m"), (.notEqual, "foo", "a")], [s2, s3, s4, s5]),
            ([(.equal, "__name__", "n"), (.equal, "foo", "")], []),
            ([(.equal, "bar", "")], [s1, s2, s3, s4, s5]),
            ([(.regexMatch, "bar", "1|")], all),
            ([(.equal, "nope", "x")], []),
            ([(.notEqual, "nope", "x")], all),
            ([(.regexMatch, "nope", ".+")], []),
            ([(.regexMatch, "nope", ".*"), (.notEqual, "foo", "")], [s1, s2, s3, s5, s6]),
            ([(.regexMatch, "__name__", "m|n"), (.regexMatch, "foo", "a.*"), (.notEqual, "bar", "1")], [s1, s3]),
            ([], all),
        ]
        for (spec, expected) in cases {
            let matchers = try spec.map { try Matcher($0.0, $0.1, $0.2) }
            let got = try head.select(matchers, mint: .min, maxt: .max)
            #expect(Set(got.map(\.labels)) == expected, "\(matchers)")
            #expect(got.count == expected.count, "\(matchers): duplicates")
            #expect(got.map(\.labels) == got.map(\.labels).sorted(), "\(matchers): not sorted")
            #expect(head.series(matchers) == expected.sorted(), "\(matchers)")
        }
    }

    @Test func labelNamesAndValues() throws {
        let head = try makeHead()
        #expect(head.labelNames() == ["__name__", "bar", "foo"])
        #expect(head.labelNames([.equal("__name__", "m")]) == ["__name__", "foo"])
        #expect(head.labelNames([try m(.regexMatch, "foo", "b|ab")]) == ["__name__", "foo"])
        #expect(head.labelNames([.equal("foo", "zzz")]).isEmpty)
        #expect(head.labelValues("foo") == ["a", "ab", "b", "x\ny"])
        #expect(head.labelValues("foo", [.equal("__name__", "n")]) == ["a"])
        #expect(head.labelValues("foo", [try m(.notEqual, "foo", "a")]) == ["ab", "b", "x\ny"])
        #expect(head.labelValues("bar", [.equal("__name__", "m")]).isEmpty)
        #expect(head.labelValues("__name__") == ["m", "n"])
        #expect(head.labelValues("__name__", [.equal("foo", "")]) == ["m"])
        #expect(head.labelValues("nope").isEmpty)
    }
}
