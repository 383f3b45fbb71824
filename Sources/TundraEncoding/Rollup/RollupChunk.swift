import TundraModel

/// A downsampled chunk: one XOR sub-chunk per ``Aggregate``, any of which may be absent,
/// laid out as Thanos' `AggrChunk` (encoding byte 0xff). The layout and the meaning of
/// each sub-chunk's points are in `docs/format/rollup.md`.
///
/// ```swift
/// let chunk = RollupChunk(count: c, sum: s, min: lo, max: hi, counter: ctr)
/// let back = try RollupChunk(bytes: chunk.bytes)   // validates every sub-chunk
/// let sums = back.samples(.sum)                     // nil when absent
/// ```
///
/// Decoding validates the whole chunk up front and keeps the decoded points, so
/// reading an aggregate afterwards cannot fail.
public struct RollupChunk: Sendable, Equatable {
    /// The encoded bytes, as stored after the 0xff encoding byte.
    public let bytes: [UInt8]
    private let decoded: [[Sample]?]

    /// Encodes the given sub-chunks. The writer is trusted to give them the shape the
    /// format describes; ``init(bytes:)`` is where shape is checked.
    public init(count: XORChunk?, sum: XORChunk?, min: XORChunk?, max: XORChunk?, counter: XORChunk?, resets: XORChunk? = nil) {
        let parts = [count, sum, min, max, counter, resets]
        var out: [UInt8] = []
        // Without resets the chunk ends after the counter: byte for byte Thanos' layout.
        for part in resets == nil ? parts.dropLast() : parts[...] {
            guard let part else {
                // A zero length marks an absent aggregate, as in Thanos.
                out.append(0)
                continue
            }
            Varint.appendUvarint(UInt64(part.bytes.count), to: &out)
            out.append(ChunkEncoding.xor.rawValue)
            out.append(contentsOf: part.bytes)
        }
        bytes = out
        // Our own sub-chunks decode; a failure here is a bug in the appender.
        decoded = parts.map { part in part.flatMap { try? $0.samples() } }
    }

    /// Decodes and validates `bytes`. Throws ``ChunkError`` for a framing error, a
    /// sub-chunk encoding other than XOR, a sub-chunk that does not decode, or points
    /// no writer produces (see `docs/format/rollup.md`, "Reading").
    public init(bytes: [UInt8]) throws(ChunkError) {
        let parts = try RollupChunk.split(bytes)
        var decoded: [[Sample]?] = []
        for part in parts {
            decoded.append(try part.map { (c) throws(ChunkError) in try c.samples() })
        }
        try RollupChunk.validate(decoded)
        self.bytes = bytes
        self.decoded = decoded
    }

    /// The decoded points of one aggregate, or nil when the chunk does not hold it.
    public func samples(_ aggregate: Aggregate) -> [Sample]? { decoded[aggregate.rawValue] }

    /// Whether the chunk holds `aggregate`.
    public func contains(_ aggregate: Aggregate) -> Bool { decoded[aggregate.rawValue] != nil }

    /// The number of windows: the points of the first window aggregate present (they
    /// all have one point a window); 0 for a chunk holding only the counter.
    public var windowCount: Int {
        Aggregate.windowAggregates.lazy.compactMap { self.decoded[$0.rawValue]?.count }.first ?? 0
    }

    public static func == (lhs: RollupChunk, rhs: RollupChunk) -> Bool { lhs.bytes == rhs.bytes }
}

extension Aggregate {
    /// The aggregates with exactly one point per window, all at the same timestamps.
    public static let windowAggregates: [Aggregate] = [.count, .sum, .min, .max, .resets]
}

extension RollupChunk {
    /// The earliest timestamp of any aggregate: the counter's first point is the first
    /// raw sample, before the first window's stamp.
    public var minTime: Int64? { decoded.compactMap { $0?.first?.t }.min() }

    /// The latest timestamp of any aggregate.
    public var maxTime: Int64? { decoded.compactMap { $0?.last?.t }.max() }
}
