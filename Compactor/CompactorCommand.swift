import ArgumentParser
import Foundation
import Logging
import TundraCompaction
import TundraConfig
import TundraModel
import TundraObjectStore

/// `tundra-compactor`: merges, downsamples and applies retention to the blocks in the
/// bucket. The logic is in TundraCompaction; this parses flags and maps outcomes to
/// exit codes (docs/operations.md, "The compactor").
@main
struct CompactorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tundra-compactor",
        abstract: "Compact, downsample and apply retention to the blocks in the bucket.",
        discussion: """
            Runs one pass and exits: 0 when the bucket is in its target state, 1 when the pass \
            failed, 2 when another compactor holds the bucket lock. With --wait it runs a pass \
            every --interval and waits for the lock instead.
            """)

    @Option(help: "YAML configuration file (docs/configuration.md): bucket:, compactor:, downsampling:, retention:.")
    var config: String?

    @Flag(help: "Keep running: a pass every --interval, waiting for the bucket lock when another compactor has it.")
    var wait = false

    @Option(help: "Time between passes with --wait (e.g. 5m, 1h).")
    var interval = "5m"

    @Flag(help: "Print the plan of a pass and change nothing.")
    var dryRun = false

    @Option(help: "Local folder for downloaded and new blocks (overrides compactor.work_dir).")
    var workDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    static let waitForever = Duration.seconds(10 * 365 * 86_400)

    func run() async throws {
        ProcessMemory.returnLargeBuffersToTheSystem()
        var settings = CompactorConfig()
        if let config {
            do {
                settings = try CompactorConfig.load(path: config)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let workDir { settings.workDirectory = workDir }
        guard let every = DurationText.milliseconds(interval), every > 0 else {
            throw ValidationError("--interval: \"\(interval)\" is not a duration (examples: 5m, 1h)")
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tundra-compactor")
        let store = try makeObjectStore(settings.bucket, dataDir: settings.dataDirectory, logger: logger)

        if dryRun {
            let lines = try await DryRun.plan(store: store, config: settings)
            print(lines.isEmpty ? "nothing to do: the bucket is in its target state" : lines.joined(separator: "\n"))
            return
        }
        while true {
            // Waiting means as long as it takes: the holder renews its lease while it
            // works, and a dead one's lease runs out within minutes.
            let outcome = await CompactorRun.pass(
                store: store, config: settings, waitForLock: wait ? Self.waitForever : nil, logger: logger, progress: .standardError)
            guard wait else { throw ExitCode(outcome.exitCode) }
            try await Task.sleep(for: .milliseconds(every))
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
