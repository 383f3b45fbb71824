import CSnappy

/// Snappy block format (not the framed stream), as remote-write uses it; a wrapper
/// over libsnappy. The only file that sees the C library.
public enum Snappy {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalid
        case tooLarge(length: Int, limit: Int)

        public var description: String {
            switch self {
            case .invalid: "body is not valid snappy-compressed data (block format)"
            case .tooLarge(let n, let limit): "decompressed body would be \(n) bytes; the limit is \(limit)"
            }
        }
    }

    /// Decompresses `input`, refusing output larger than `limit` before allocating it.
    public static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var length = 0
        let status: snappy_status = input.withUnsafeBytes { buf in
            guard let base = buf.baseAddress else { return SNAPPY_INVALID_INPUT }
            return snappy_uncompressed_length(base.assumingMemoryBound(to: CChar.self), buf.count, &length)
        }
        guard status == SNAPPY_OK else { throw .invalid }
        guard length <= limit else { throw .tooLarge(length: length, limit: limit) }
        // Check the whole body before allocating: a few bytes of garbage behind a large
        // declared length must not cost that much memory, and a zero length followed
        // by more bytes is invalid, not an empty body.
        let valid: snappy_status = input.withUnsafeBytes { buf in
            guard let base = buf.baseAddress else { return SNAPPY_INVALID_INPUT }
            return snappy_validate_compressed_buffer(base.assumingMemoryBound(to: CChar.self), buf.count)
        }
        guard valid == SNAPPY_OK else { throw .invalid }
        guard length > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: length)
        var outLength = length
        let result: snappy_status = input.withUnsafeBytes { inBuf in
            out.withUnsafeMutableBytes { outBuf in
                guard let inBase = inBuf.baseAddress, let outBase = outBuf.baseAddress else { return SNAPPY_INVALID_INPUT }
                return snappy_uncompress(
                    inBase.assumingMemoryBound(to: CChar.self), inBuf.count,
                    outBase.assumingMemoryBound(to: CChar.self), &outLength)
            }
        }
        guard result == SNAPPY_OK, outLength == length else { throw .invalid }
        return out
    }

    /// Compresses `input` (for clients and tests).
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var outLength = snappy_max_compressed_length(input.count)
        var out = [UInt8](repeating: 0, count: outLength)
        let status: snappy_status = input.withUnsafeBytes { inBuf in
            out.withUnsafeMutableBytes { outBuf in
                guard let outBase = outBuf.baseAddress else { return SNAPPY_INVALID_INPUT }
                let inBase = inBuf.baseAddress ?? UnsafeRawPointer(outBase)
                return snappy_compress(
                    inBase.assumingMemoryBound(to: CChar.self), inBuf.count,
                    outBase.assumingMemoryBound(to: CChar.self), &outLength)
            }
        }
        // Compression into a buffer of snappy_max_compressed_length cannot fail.
        precondition(status == SNAPPY_OK, "snappy_compress failed with a correctly sized buffer")
        return Array(out.prefix(outLength))
    }
}
