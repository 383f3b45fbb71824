/// Why a block could not be written or read.
///
/// Corruption always names the file and the byte offset where the reader gave up, so an
/// operator can find the bad block and a developer the bad bytes.
public struct BlockError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for callers that decide what to do next (retry on `io`,
    /// quarantine the block on `corrupt`, `checksum` or `unsupported`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The file system or object store failed.
        public static let io = Code("io")
        /// The bytes are malformed: bad magic, lengths past the end, impossible values.
        public static let corrupt = Code("corrupt")
        /// A CRC32C did not match.
        public static let checksum = Code("checksum")
        /// A format version or chunk encoding this build does not read.
        public static let unsupported = Code("unsupported")
        /// The caller broke the writer's contract (order, ranges, stage).
        public static let invalidInput = Code("invalid input")

        public var description: String { name }
    }

    public let code: Code
    public let message: String
    /// The file concerned, relative to the block folder when read through a source.
    public let file: String?
    /// The byte offset in `file` where the problem was found.
    public let offset: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
    }

    public var description: String {
        var s = "\(code): \(message)"
        if let file {
            s += " (\(file)"
            if let offset { s += " at offset \(offset)" }
            s += ")"
        }
        return s
    }
}
