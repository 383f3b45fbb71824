import Foundation
import TundraBlock

/// What a pass did, for the progress output, the exit status and the metrics file.
public struct PassReport: Sendable {
    public var startedAt: Date
    public var duration: Duration = .zero
    public var dryRun = false
    /// The steps taken (or, in a dry run, that would be), in order.
    public var steps: [PlanStep] = []
    /// Housekeeping before the steps: removed uploads and deleted blocks.
    public var partialUploadsRemoved: [ULID] = []
    public var blocksDeleted: [ULID] = []
    public var quarantined: [ULID] = []
    /// Blocks written, by kind: `merge`, `downsample`, `rewrite`.
    public var blocksWritten: [String: Int] = [:]
    /// Input blocks merged away into larger ones.
    public var blocksCompacted = 0
    public var blocksMarked = 0
    public var bytesRead: Int64 = 0
    public var bytesWritten: Int64 = 0
    public var samplesProcessed = 0
    public var duplicatesDropped = 0
    public var requests = RequestCounts()
    /// The process' peak resident memory when the pass ended (Linux `ru_maxrss`).
    public var peakResidentBytes: Int64 = 0
    /// Blocks in `quarantine/` at the end of the pass.
    public var quarantinedTotal = 0
    public var failures: [PassFailure] = []

    public init(startedAt: Date) { self.startedAt = startedAt }

    /// The bucket is where the policy wants it: nothing failed.
    public var succeeded: Bool { failures.isEmpty }
}

/// A problem the pass could not get past; the pass carries on with other blocks and
/// exits non-zero.
public struct PassFailure: Sendable, Error, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// The bucket lock could not be taken or was lost.
        case lock
        /// A block could not be read and was moved to quarantine.
        case unreadable
        /// Overlapping blocks that cannot be merged (rollups).
        case overlap
        case other
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
