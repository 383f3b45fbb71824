import Synchronization
import TundraHead
import TundraIngest

/// The head once its WAL has been replayed. Until then routes answer 503 and
/// `/-/ready` says not ready; `/-/healthy` answers from the first moment.
public final class HeadHolder: Sendable {
    private let state = Mutex<Head?>(nil)
    private let failure = Mutex<String?>(nil)
    private let manager = Mutex<BlockManager?>(nil)
    public let metadata = MetadataStore()

    public init() {}

    public var head: Head? { state.withLock { $0 } }
    /// The cutter and shipper, once the head is open.
    public var blocks: BlockManager? { manager.withLock { $0 } }
    func set(_ blocks: BlockManager) { manager.withLock { $0 = blocks } }
    public var startupError: String? { failure.withLock { $0 } }

    func set(_ head: Head) { state.withLock { $0 = head } }
    func fail(_ why: String) { failure.withLock { $0 = why } }
}

/// Metric metadata from remote-write, by metric family name, for `/api/v1/metadata`.
public final class MetadataStore: Sendable {
    private let entries = Mutex<[String: MetricMetadata]>([:])

    public init() {}

    func merge(_ new: [String: MetricMetadata]) {
        guard !new.isEmpty else { return }
        entries.withLock { $0.merge(new) { _, latest in latest } }
    }

    public func all() -> [String: MetricMetadata] { entries.withLock { $0 } }
}
