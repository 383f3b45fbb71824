import Foundation
import Testing
import TundraTestSupport

/// `tundra check config`: every section of the file, with the error's file, line and key.
@Suite struct CheckConfigTests {
    @Test func goodAndBadFiles() async throws {
        let dir = try TempDir("check-config")
        defer { dir.remove() }
        let good = dir.path + "/good.yml"
        try """
            server:
              listen: 127.0.0.1:9470
            retention:
              raw: 14d
              overrides:
                - match: '{env="dev"}'
                  raw: 1d
            """.write(toFile: good, atomically: true, encoding: .utf8)
        let ok = try await offPool { try TundraBinary.run(["check", "config", good]) }
        #expect(ok.status == 0 && ok.stdout.contains("good.yml: ok (1 retention override)"), "\(ok)")

        let badSelector = dir.path + "/selector.yml"
        try "retention:\n  overrides:\n    - match: '{env=\"dev\"'\n      raw: 1d\n".write(toFile: badSelector, atomically: true, encoding: .utf8)
        let badServer = dir.path + "/server.yml"
        try "server:\n  listen: nowhere\n".write(toFile: badServer, atomically: true, encoding: .utf8)
        let bad = try await offPool { try TundraBinary.run(["check", "config", good, badSelector, badServer]) }
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("selector.yml:3: retention.overrides[0].match"), "\(bad.stdout)")
        #expect(bad.stdout.contains("server.yml:2: server.listen"), "\(bad.stdout)")
        #expect(bad.stdout.contains("good.yml: ok"))
    }
}
