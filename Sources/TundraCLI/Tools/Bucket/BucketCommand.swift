import ArgumentParser

/// `tundra tools bucket ...`: what is in the bucket, and whether it is sound.
struct BucketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucket",
        abstract: "List, inspect and verify the blocks in the bucket.",
        subcommands: [BucketListCommand.self, BucketInspectCommand.self, BucketVerifyCommand.self]
    )
}

/// The flags every bucket command takes: where the bucket is, and how to print.
struct BucketFlags: ParsableArguments {
    @OptionGroup var data: DataFlags
    @OptionGroup var config: ConfigFlags

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "Log level.")
    var logLevel: String = "warning"
}
