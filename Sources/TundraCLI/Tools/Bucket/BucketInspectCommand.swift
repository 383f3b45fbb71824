import ArgumentParser
import TundraBlock
import TundraServer

/// `tundra tools bucket inspect ULID`.
struct BucketInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show one block: meta, files, label names with their value counts, top metric names by series."
    )

    @OptionGroup var bucket: BucketFlags

    @Argument(help: "The block's ULID.")
    var ulid: String

    @Option(help: "How many metric names to list.")
    var top: Int = BlockInspection.defaultTop

    @Option(help: "Folder the block's index is downloaded into (default <data dir>/bucket-tools); emptied afterwards.")
    var workDir: String?

    func run() async throws {
        let id: ULID
        do {
            id = try ULID(parsing: ulid)
        } catch {
            throw ValidationError("\"\(ulid)\" is not a ULID: \(error)")
        }
        let (store, options) = try bucket.config.store(bucket.data, logger: makeLogger(level: bucket.logLevel))
        let inspection = try await BlockInspection.inspect(
            id, in: store, workDirectory: workDir ?? options.dataDirectory + "/bucket-tools", top: top)
        print(bucket.json ? try BucketText.json(inspection) : BucketText.inspect(inspection), terminator: "")
    }
}
