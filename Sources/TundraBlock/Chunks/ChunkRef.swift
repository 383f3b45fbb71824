/// Where a chunk sits in a block: the segment's position among `chunks/000001`,
/// `000002`, ... (0 for `000001`) in the high 32 bits, the byte offset in it in the
/// low 32 (Prometheus `BlockChunkRef`).
public struct ChunkRef: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(segment: Int, offset: Int) {
        rawValue = UInt64(UInt32(truncatingIfNeeded: segment)) << 32 | UInt64(UInt32(truncatingIfNeeded: offset))
    }

    /// 0-based; the file is ``ChunkSegment/fileName(segment:)``.
    public var segment: Int { Int(rawValue >> 32) }
    public var offset: Int { Int(rawValue & 0xFFFF_FFFF) }

    public static func < (a: ChunkRef, b: ChunkRef) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "\(ChunkSegment.fileName(segment: segment))@\(offset)" }
}

/// The constants of chunk segment files (`chunks/NNNNNN`).
public enum ChunkSegment {
    public static let magic: UInt32 = 0x85BD_40DD
    public static let version: UInt8 = 1
    /// magic, version, three bytes of zero padding.
    public static let headerSize = 8
    /// Prometheus' default: the most a segment grows before the next one is started.
    public static let defaultMaxSize = 512 << 20
    /// The most a segment can hold: offsets in a ``ChunkRef`` are 32 bits.
    public static let maxSize = Int(UInt32.max)
    public static let folder = "chunks"

    /// `chunks/000001` for segment 0: files are numbered from 1, refs from 0.
    public static func fileName(segment: Int) -> String { folder + "/" + baseName(segment: segment) }

    /// `000001` for segment 0.
    public static func baseName(segment: Int) -> String {
        let digits = String(segment + 1)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
