import Logging
import NIOPosix
import TundraBlock
import TundraHead

/// Runs the cutter and the shipper one operation at a time: the periodic check and
/// `POST /api/v1/admin/flush` both come here, and never overlap (a cut moves the
/// head's floor, which two cuts at once would fight over).
public actor BlockManager {
    let cutter: BlockCutter
    public let shipper: Shipper
    private let logger: Logger
    private var tail: Task<Void, Never>?
    private var checking = false

    init(cutter: BlockCutter, shipper: Shipper, logger: Logger) {
        self.cutter = cutter
        self.shipper = shipper
        self.logger = logger
    }

    /// Cuts what is due, ships what is not in the bucket yet, and removes local
    /// copies past their retention. Failures are logged and retried next time.
    func check() async {
        // A check still running (a long upload) makes this one unnecessary.
        guard !checking else { return }
        checking = true
        defer { checking = false }
        do {
            try await serially { [cutter, shipper] in
                _ = try await NIOThreadPool.singleton.runIfActive { try cutter.cutDue() }
                try await shipper.shipPending()
                try await shipper.removeExpiredLocalCopies()
            }
        } catch {
            logger.error("block cut or upload failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    /// Cuts the whole head into blocks and ships every pending block; returns the
    /// blocks uploaded. Throws when a cut or an upload fails.
    func flush() async throws -> [BlockMeta] {
        try await serially { [cutter, shipper] in
            _ = try await NIOThreadPool.singleton.runIfActive { try cutter.cutAll() }
            return try await shipper.shipPending()
        }
    }

    /// Returns once every cut and upload started before it has ended.
    func drain() async {
        _ = try? await serially {}
    }

    private func serially<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let task = Task<T, any Error> {
            await previous?.value
            return try await operation()
        }
        tail = Task { _ = try? await task.value }
        return try await task.value
    }
}
