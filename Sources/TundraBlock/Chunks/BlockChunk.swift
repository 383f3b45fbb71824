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

    /// The number of samples the chunk holds, read from its header.
    public func sampleCount() throws(ChunkError) -> Int {
        switch encoding {
        case .xor: try XORChunk(bytes: bytes).count
        }
    }

    /// Every sample, decoded.
    public func samples() throws(ChunkError) -> [Sample] {
        switch encoding {
        case .xor: try XORChunk(bytes: bytes).samples()
        }
    }
}
