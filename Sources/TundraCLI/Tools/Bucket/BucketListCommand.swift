import ArgumentParser
import TundraServer

/// `tundra tools bucket ls`.
struct BucketListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the blocks in the bucket by time, with partial uploads and unreadable blocks."
    )

    @OptionGroup var bucket: BucketFlags

    func run() async throws {
        let (store, _) = try bucket.config.store(bucket.data, logger: makeLogger(level: bucket.logLevel))
        let inventory = try await BucketInventory.load(from: store)
        print(bucket.json ? try BucketText.json(inventory) : BucketText.list(inventory), terminator: "")
    }
}
