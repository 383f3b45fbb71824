import ArgumentParser
import TundraCompaction
import TundraConfig
import TundraServer

/// `tundra check ...`: validation without running anything, for CI and deploy scripts.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check configuration files.",
        subcommands: [CheckConfigCommand.self]
    )
}

/// `tundra check config FILE...`: every section, as `tundra serve` and
/// `tundra-compactor` would read it. Prints `FILE: ok` or the first error of each file
/// (file, line, key), and exits 1 if any file has one.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Check configuration files.")

    @Argument(help: "YAML configuration files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                _ = try ConfigFile.load(path: file)
                let compactor = try CompactorConfig.load(path: file)
                let overrides = compactor.retention.overrides.count
                print("\(file): ok" + (overrides > 0 ? " (\(overrides) retention override\(overrides == 1 ? "" : "s"))" : ""))
            } catch {
                print("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
