import Hummingbird
import TundraBlock

/// `POST /api/v1/admin/flush`: cuts the whole head into blocks and ships them,
/// answering once they are in the bucket (for benchmarks, tests and before
/// maintenance). It needs the write credentials, since it changes what is stored.
struct AdminRoutes: Sendable {
    let holder: HeadHolder

    struct Flushed: Encodable {
        struct Block: Encodable {
            let ulid: String
            let minTime: Int64
            let maxTime: Int64
            let numSeries: UInt64
            let numSamples: UInt64
        }
        let blocks: [Block]
    }

    func register<Context: RequestContext>(write: RouterGroup<Context>) {
        write.post("/api/v1/admin/flush") { _, _ in
            guard let blocks = holder.blocks, holder.head != nil else {
                return WriteRoute.text(.serviceUnavailable, "starting: the WAL is being replayed", retryAfter: 5)
            }
            let shipped: [BlockMeta]
            do {
                shipped = try await blocks.flush()
            } catch {
                return WriteRoute.text(.internalServerError, "flush failed: \(error)")
            }
            return try APIResponse.success(
                Flushed(
                    blocks: shipped.map {
                        .init(
                            ulid: $0.ulid.description, minTime: $0.minTime, maxTime: $0.maxTime, numSeries: $0.stats.numSeries,
                            numSamples: $0.stats.numSamples)
                    }))
        }
    }
}
