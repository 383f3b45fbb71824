import ArgumentParser
import Foundation
import TundraBlock
import TundraServer

/// `tundra tools bucket verify [ULID]`: exits 1 when a block has a problem or an
/// upload is partial; overlaps are reported but do not fail it.
struct BucketVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Read every block (or one) whole and check meta, index, chunk checksums, time ranges and stats.",
        discussion: """
            Each block is downloaded into the work folder, checked and removed again, one at a time, \
            so the folder needs room for the largest block. Exits 1 when any problem is found.
            """
    )

    @OptionGroup var bucket: BucketFlags

    @Argument(help: "Only this block (default: every block, with partial uploads and overlaps).")
    var ulid: String?

    @Option(help: "Folder blocks are downloaded into (default <data dir>/bucket-tools); emptied afterwards.")
    var workDir: String?

    func run() async throws {
        var id: ULID?
        if let ulid {
            do {
                id = try ULID(parsing: ulid)
            } catch {
                throw ValidationError("\"\(ulid)\" is not a ULID: \(error)")
            }
        }
        let logger = makeLogger(level: bucket.logLevel)
        let (store, options) = try bucket.config.store(bucket.data, logger: logger)
        let json = bucket.json
        let verifier = BucketVerifier(
            store: store, workDirectory: workDir ?? options.dataDirectory + "/bucket-tools", logger: logger,
            progress: { line in
                // Progress goes to stderr so that stdout stays the report alone.
                if !json { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            })
        let report: BucketVerifyReport
        if let id {
            report = try await verifier.verify(id)
        } else {
            report = try await verifier.verifyAll()
        }
        print(json ? try BucketText.json(report) : BucketText.verify(report), terminator: "")
        if !report.ok { throw ExitCode(1) }
    }
}
