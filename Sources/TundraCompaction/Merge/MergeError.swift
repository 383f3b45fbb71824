import TundraBlock

/// Why a merge stopped, with the block to blame: the compactor quarantines an input it
/// cannot read, reports rollups it cannot merge, and retries nothing else blindly.
public enum MergeError: Error, Sendable, CustomStringConvertible {
    /// Reading input block `block` failed: corrupt, a bad checksum, an unknown version.
    case input(block: ULID, BlockError)
    /// Two inputs hold rollup chunks of the same series for the same time.
    case overlappingRollups(String)
    /// Writing the new block failed (disk full, a bug in what was fed to it).
    case output(BlockError)

    public var description: String {
        switch self {
        case .input(let block, let error): "block \(block): \(error)"
        case .overlappingRollups(let what): what
        case .output(let error): "writing the new block: \(error)"
        }
    }
}
