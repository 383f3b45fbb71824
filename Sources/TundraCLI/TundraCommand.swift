import ArgumentParser

/// The `tundra` command line.
public struct TundraCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tundra",
        abstract: "A Prometheus-compatible, long-retention metrics store.",
        subcommands: [ServeCommand.self, ToolsCommand.self, CheckCommand.self]
    )

    public init() {}
}

extension TundraCommand {
    /// Parses the process arguments and runs the chosen command, then exits.
    public static func runFromProcessArguments() async {
        await main()
    }
}
