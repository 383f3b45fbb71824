import TundraEncoding
import TundraModel

/// One encoded chunk as blocks store it: an encoding byte and the encoded bytes.
///
/// The encoding byte dispatches every decode, so a denser encoding can be added as a
/// new ``ChunkEncoding`` case without touching the segment or index formats.
public struct BlockChunk: Sendable, Equatable {
    public let encoding: ChunkEncoding
    public let bytes: [UInt8]

    public init(encoding: ChunkEncoding, bytes: [UInt8]) {
        self.encoding = encoding
        self.bytes = bytes
    }

    public init(_ chunk: XORChunk) {
        self.init(encoding: .xor, bytes: chunk.bytes)
    }

    public init(_ chunk: RollupChunk) {
        self.init(encoding: .rollup, bytes: chunk.bytes)
    }

    /// The rollup chunk, decoded and validated; a ``ChunkError`` when the chunk is not one.
    public func rollup() throws(ChunkError) -> RollupChunk {
        guard encoding == .rollup else { throw .corrupt("a \(encoding) chunk is not a rollup chunk") }
        return try RollupChunk(bytes: bytes)
    }

    /// The number of samples the chunk holds, read from its header; for a rollup, the
    /// number of windows.
    public func sampleCount() throws(ChunkError) -> Int {
        switch encoding {
        case .xor: try XORChunk(bytes: bytes).count
        case .rollup: try RollupChunk(bytes: bytes).windowCount
        }
    }

    /// Every sample, decoded. A rollup answers with the window averages (sum / count),
    /// what Thanos serves for a selector with no function around it; callers that need
    /// another aggregate use ``rollup()`` and `RollupSeries`.
    public func samples() throws(ChunkError) -> [Sample] {
        switch encoding {
        case .xor: try XORChunk(bytes: bytes).samples()
        case .rollup: try RollupSeries.average([try RollupChunk(bytes: bytes)])
        }
    }
}
