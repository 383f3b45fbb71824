import ArgumentParser

/// `tundra tools ...`: inspection and maintenance of a data folder.
struct ToolsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "Inspect and load data folders.",
        subcommands: [DumpCommand.self, ImportCommand.self, BucketCommand.self]
    )
}
