import ArgumentParser
import Logging
import TundraObjectStore
import TundraServer

/// The configuration file, for commands that touch the bucket: they take the same
/// `--config` and `--data-dir` as `tundra serve`, so they find the same bucket.
struct ConfigFlags: ParsableArguments {
    @Option(help: "YAML configuration file (see docs/configuration.md); its bucket: section says where blocks are.")
    var config: String?

    /// The server options the file gives, with `--data-dir` applied.
    func options(_ data: DataFlags) throws -> ServerOptions {
        var options = ServerOptions()
        if let config {
            do {
                options = try ConfigFile.load(path: config).options
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let dir = data.dataDirectory { options.dataDirectory = dir }
        return options
    }

    func store(_ data: DataFlags, logger: Logger) throws -> (any ObjectStore, ServerOptions) {
        let options = try options(data)
        return (try makeObjectStore(options.bucket, dataDir: options.dataDirectory, logger: logger), options)
    }
}
