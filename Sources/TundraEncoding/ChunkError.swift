/// Why a chunk could not be decoded. Readers never guess past one of these.
public enum ChunkError: Error, Equatable, CustomStringConvertible {
    /// The bytes end before the samples the header promises.
    case truncated
    /// The bytes hold something no writer produces.
    case corrupt(String)
    /// An encoding byte this version does not know.
    case unknownEncoding(UInt8)

    public var description: String {
        switch self {
        case .truncated: "chunk truncated: data ends before the last sample"
        case .corrupt(let why): "chunk corrupt: \(why)"
        case .unknownEncoding(let e): "unknown chunk encoding \(e): this version reads 1 (XOR) and 255 (rollup)"
        }
    }
}

/// Chunk encodings, numbered as Prometheus numbers them in block chunk files.
public enum ChunkEncoding: UInt8, Sendable {
    /// Gorilla XOR float chunk (Prometheus `EncXOR`).
    case xor = 1
    /// Rollup chunk of five aggregates (Thanos `ChunkEncAggr`: the highest byte, so it
    /// never collides with an encoding Prometheus adds).
    case rollup = 0xff

    public static func check(_ byte: UInt8) throws(ChunkError) -> ChunkEncoding {
        guard let e = ChunkEncoding(rawValue: byte) else { throw .unknownEncoding(byte) }
        return e
    }
}
