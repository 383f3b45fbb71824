import TundraEncoding
import TundraModel

/// Fuzz entry for the XOR chunk decoder, shared by the libFuzzer target
/// (`Fuzz/XORChunkFuzzer`, built by `scripts/fuzz`) and the corpus replay test.
///
/// Any bytes may come in. Decoding them must end in samples or a ``ChunkError``, never
/// a crash or a hang. When they decode, the samples must survive a round trip through
/// ``XORAppender`` bit for bit, and the canonical encoding must be stable; those are
/// invariants, checked with `precondition` so that the fuzzer reports a violation as a
/// crash.
public enum ChunkFuzz {
    /// Runs one input. Returns the number of samples decoded, or -1 when the bytes are
    /// not a valid chunk.
    public static func run(_ data: [UInt8]) -> Int {
        let chunk: XORChunk
        let decoded: [Sample]
        do {
            chunk = try XORChunk(bytes: data)
            decoded = try chunk.samples()
        } catch {
            // Stepping on after an error must not crash either.
            exerciseAfterError(data)
            return -1
        }
        precondition(decoded.count == chunk.count, "decoded \(decoded.count) samples, header says \(chunk.count)")

        // Seeking from a fresh iterator finds the first sample at or after the target.
        if let first = decoded.first, let last = decoded.last {
            for target in [first.t, last.t, decoded[decoded.count / 2].t] {
                var it = chunk.iterator()
                let got = try? it.seek(target)
                let want = decoded.first { $0.t >= target }
                precondition(got == want, "seek(\(target)) returned \(String(describing: got)), want \(String(describing: want))")
            }
        }

        let reencoded = encode(decoded)
        guard let again = try? reencoded.samples() else {
            preconditionFailure("re-encoded chunk of \(decoded.count) samples does not decode")
        }
        precondition(again == decoded, "round trip changed the samples")
        precondition(encode(again).bytes == reencoded.bytes, "encoding the same samples twice gave different bytes")
        return decoded.count
    }

    private static func encode(_ samples: [Sample]) -> XORChunk {
        var app = XORAppender(capacity: 2 + samples.count * 2)
        for s in samples { app.append(t: s.t, v: s.v) }
        return app.chunk
    }

    /// Keeps calling `next()` on an iterator that already failed: each call must throw
    /// or return, and the header bounds how many samples can come out.
    private static func exerciseAfterError(_ data: [UInt8]) {
        guard let chunk = try? XORChunk(bytes: data) else { return }
        var it = chunk.iterator()
        var returned = 0
        var failures = 0
        while failures < 3 {
            do {
                guard try it.next() != nil else { break }
                returned += 1
            } catch {
                failures += 1
            }
        }
        precondition(returned <= chunk.count, "iterator returned \(returned) samples, header says \(chunk.count)")
    }
}
