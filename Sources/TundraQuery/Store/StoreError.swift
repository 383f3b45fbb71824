import TundraBlock

/// A block of the bucket that could not be read, or a bucket manifest that could not be
/// had: the query fails with it rather than answering without the block's data.
///
/// The description names the block and the file, so an operator can find the object:
/// `block 01HF7YAT00VJ7Q4M1W4Z5X9G3C, file chunks/000001: checksum: chunk CRC32C ...`.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The block concerned, when the problem is one block's.
    public let block: ULID?
    /// The file in the block folder (`index`, `chunks/000001`, `meta.json`), or the
    /// object key for problems outside blocks.
    public let file: String?
    public let message: String

    public init(block: ULID?, file: String?, message: String) {
        self.block = block
        self.file = file
        self.message = message
    }

    /// A reader's error, attributed to its block.
    init(block: ULID, _ error: BlockError) {
        self.init(block: block, file: error.file, message: error.description)
    }

    public var description: String {
        var place: [String] = []
        if let block { place.append("block \(block)") }
        if let file { place.append("file \(file)") }
        return place.isEmpty ? message : place.joined(separator: ", ") + ": " + message
    }
}
