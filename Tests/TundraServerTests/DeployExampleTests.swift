import Foundation
import Testing
import TundraIngest

@testable import TundraServer

@Suite struct DeployExampleTests {
    /// The example configuration shipped in Deploy/ parses, so it never rots.
    @Test func theShippedExampleConfigIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("Deploy/tundra.yml").path
        let config = try ConfigFile.load(path: path)
        #expect(config.options.port == 9470)
        #expect(config.scrapeConfigs.map(\.jobName) == ["node"])
        #expect(config.scrapeConfigs.first?.intervalMs == 15_000)
    }
}
