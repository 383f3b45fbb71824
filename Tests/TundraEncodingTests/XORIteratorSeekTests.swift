import Testing
import TundraEncoding
import TundraModel
import TundraTestSupport

/// `XORIterator.seek(_:)`: returns the first not yet consumed sample at or after the
/// target and leaves it current, so the next `next()` returns it again.
@Suite struct XORIteratorSeekTests {
    /// t = 1000, 2000, ..., 10000 with v = t / 1000.
    static let chunk = encode((1...10).map { Sample(t: Int64($0) * 1000, v: Double($0)) })

    @Test func seekBeforeFirstReturnsFirst() throws {
        var it = Self.chunk.iterator()
        #expect(try it.seek(Int64.min) == Sample(t: 1000, v: 1))
        #expect(try it.seek(0) == Sample(t: 1000, v: 1))
        #expect(try it.next() == Sample(t: 1000, v: 1))
        #expect(try it.next() == Sample(t: 2000, v: 2))
    }

    @Test func seekToAnExactTimestampReturnsThatSample() throws {
        var it = Self.chunk.iterator()
        #expect(try it.seek(3000) == Sample(t: 3000, v: 3))
        #expect(try it.next() == Sample(t: 3000, v: 3))
        #expect(try it.next() == Sample(t: 4000, v: 4))
    }

    @Test func seekBetweenSamplesReturnsTheLaterOne() throws {
        var it = Self.chunk.iterator()
        #expect(try it.seek(3500) == Sample(t: 4000, v: 4))
        #expect(try it.seek(3001) == Sample(t: 4000, v: 4))
        #expect(try it.next() == Sample(t: 4000, v: 4))
    }

    @Test func seekAfterLastReturnsNilAndExhaustsTheIterator() throws {
        var it = Self.chunk.iterator()
        #expect(try it.seek(10_001) == nil)
        #expect(try it.next() == nil)
        #expect(try it.seek(0) == nil)
    }

    @Test func seekToTheLastSampleReturnsItThenNothing() throws {
        var it = Self.chunk.iterator()
        #expect(try it.seek(10_000) == Sample(t: 10_000, v: 10))
        #expect(try it.next() == Sample(t: 10_000, v: 10))
        #expect(try it.next() == nil)
    }

    @Test func repeatedSeekDoesNotMoveBackwardsOrSkip() throws {
        var it = Self.chunk.iterator()
        #expect(try it.seek(5000) == Sample(t: 5000, v: 5))
        #expect(try it.seek(5000) == Sample(t: 5000, v: 5))
        // A lower target keeps the current sample: iterators only move forward.
        #expect(try it.seek(1000) == Sample(t: 5000, v: 5))
        #expect(try it.seek(5001) == Sample(t: 6000, v: 6))
        #expect(try it.seek(8000) == Sample(t: 8000, v: 8))
        #expect(try it.next() == Sample(t: 8000, v: 8))
        #expect(try it.next() == Sample(t: 9000, v: 9))
    }

    @Test func seekAfterNextStartsFromTheUnconsumedSamples() throws {
        var it = Self.chunk.iterator()
        #expect(try it.next() == Sample(t: 1000, v: 1))
        #expect(try it.next() == Sample(t: 2000, v: 2))
        #expect(try it.seek(0) == Sample(t: 3000, v: 3))
        #expect(try it.next() == Sample(t: 3000, v: 3))
    }

    @Test func seekOnAnEmptyChunkReturnsNil() throws {
        var it = XORAppender().chunk.iterator()
        #expect(try it.seek(0) == nil)
        #expect(try it.next() == nil)
    }

    @Test func seekIntoACorruptChunkThrows() throws {
        let bytes = Array(Self.chunk.bytes.dropLast(2))
        var it = try XORChunk(bytes: bytes).iterator()
        #expect(try it.seek(1000) == Sample(t: 1000, v: 1))
        #expect(throws: ChunkError.truncated) { try it.seek(10_000) }
    }

    @Test func randomSeeksAgreeWithALinearScan() throws {
        var rng = SeededRandom(seed: 0x5EE_C)
        for _ in 0..<200 {
            var t = rng.int64(in: -10_000...10_000)
            var input: [Sample] = []
            for _ in 0..<rng.int(in: 1...60) {
                input.append(Sample(t: t, v: Double(bitPattern: rng.next())))
                t += rng.int64(in: 0...5_000)
            }
            var it = encode(input).iterator()
            var consumed = 0
            var target = input[0].t - 1
            for _ in 0..<10 {
                target += rng.int64(in: 0...20_000)
                let want = input[consumed...].first { $0.t >= target }
                #expect(try it.seek(target) == want, "seed \(hex(rng.seed)), target \(target)")
                guard let w = want, let i = input[consumed...].firstIndex(of: w) else { break }
                consumed = i
                if rng.chance(0.5) {
                    #expect(try it.next() == w, "seed \(hex(rng.seed))")
                    consumed += 1
                    if consumed == input.count { break }
                }
            }
        }
    }
}
