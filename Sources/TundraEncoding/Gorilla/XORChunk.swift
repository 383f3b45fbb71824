import TundraModel

/// A closed Gorilla chunk of float samples, byte for byte as Prometheus writes its
/// XOR chunk (`tsdb/chunkenc/xor.go`), so blocks built from it are readable by
/// Prometheus' own tools. The layout is described in `docs/format/chunk.md`.
///
/// ```swift
/// var app = XORAppender()
/// app.append(t: 1000, v: 1.5)
/// let chunk = app.chunk
/// var it = chunk.iterator()
/// while let s = try it.next() { print(s) }
/// ```
public struct XORChunk: Sendable, Equatable {
    /// The encoded bytes: a 2-byte big-endian sample count, then the bit stream.
    public let bytes: [UInt8]

    /// Wraps encoded bytes. Throws when they are too short to hold the header.
    public init(bytes: [UInt8]) throws(ChunkError) {
        guard bytes.count >= 2 else { throw .truncated }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// The number of samples the header declares.
    public var count: Int { Int(bytes[0]) << 8 | Int(bytes[1]) }

    public func iterator() -> XORIterator { XORIterator(bytes) }

    /// Decodes every sample.
    public func samples() throws(ChunkError) -> [Sample] {
        var out: [Sample] = []
        out.reserveCapacity(count)
        var it = iterator()
        while let s = try it.next() { out.append(s) }
        return out
    }
}
