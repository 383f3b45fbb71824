import Testing
import TundraEncoding
import TundraModel
import TundraTestSupport

/// A well-formed rollup chunk of `windows` windows at t = 59_999, 119_999, ... whose
/// sum/min/max carry the given bit patterns, and a counter of first point, one point a
/// window and the repeated last point.
func rollupParts(windows: Int, bits: [UInt64]) -> [XORChunk?] {
    let ts = (0..<Int64(windows)).map { $0 * 60_000 + 59_999 }
    let values = (0..<windows).map { bits[$0 % bits.count] }
    let count = encode(ts.map { Sample(t: $0, v: 1) })
    let other = encode(samples(ts, bits: values))
    var counter = [Sample(t: 0, v: 5)] + ts.enumerated().map { Sample(t: $1, v: 5 + Double($0)) }
    counter.append(Sample(t: ts.last ?? 0, v: 3))
    let resets = encode(ts.enumerated().map { Sample(t: $1, v: Double($0 % 3)) })
    return [count, other, other, other, encode(counter), resets]
}

/// A chunk of the parts given, in ``Aggregate`` order; five parts make a Thanos-shaped
/// chunk without resets.
func rollup(_ parts: [XORChunk?]) -> RollupChunk {
    RollupChunk(count: parts[0], sum: parts[1], min: parts[2], max: parts[3], counter: parts[4], resets: parts.count > 5 ? parts[5] : nil)
}

@Suite struct RollupChunkTests {
    @Test func encodingByteIsThanosAggregateChunk() throws {
        #expect(try ChunkEncoding.check(0xff) == .rollup)
        #expect(ChunkEncoding.rollup.rawValue != ChunkEncoding.xor.rawValue)
    }

    @Test func roundTripKeepsEveryBitPatternInEveryAggregate() throws {
        let parts = rollupParts(windows: bitClasses.count, bits: bitClasses.map(\.bits))
        let chunk = rollup(parts)
        let back = try RollupChunk(bytes: chunk.bytes)
        #expect(back == chunk)
        for aggregate in Aggregate.allCases {
            let want = try parts[aggregate.rawValue]?.samples()
            #expect(back.samples(aggregate) == want, "\(aggregate)")
        }
        #expect(back.windowCount == bitClasses.count)
        #expect(back.minTime == 0)
        #expect(back.maxTime == Int64(bitClasses.count - 1) * 60_000 + 59_999)
    }

    @Test func layoutIsALengthPrefixedXORSubChunkPerAggregate() throws {
        let parts = rollupParts(windows: 2, bits: [(1.0 as Double).bitPattern])
        let bytes = rollup(parts).bytes
        var expected: [UInt8] = []
        for part in parts {
            let p = try #require(part)
            Varint.appendUvarint(UInt64(p.bytes.count), to: &expected)
            expected.append(1)
            expected += p.bytes
        }
        #expect(bytes == expected)
    }

    /// Every non-empty subset of aggregates round trips; absent ones are a zero length.
    @Test func anySubsetOfAggregatesMayBeAbsent() throws {
        let full = rollupParts(windows: 3, bits: [StaleNaN.bits, 0x7FF8_0000_0000_0001, 0])
        for mask in 1..<(1 << Aggregate.allCases.count) {
            let parts = full.enumerated().map { mask & (1 << $0) != 0 ? $1 : nil }
            let back = try RollupChunk(bytes: rollup(parts).bytes)
            for aggregate in Aggregate.allCases {
                #expect(back.contains(aggregate) == (parts[aggregate.rawValue] != nil), "mask \(mask)")
                #expect(back.samples(aggregate) == (try parts[aggregate.rawValue]?.samples()), "mask \(mask)")
            }
        }
        #expect(try RollupChunk(bytes: rollup([nil, nil, nil, nil, full[4]]).bytes).windowCount == 0)
    }

    /// Thanos' aggregate chunk ends after the counter: it reads, without resets, and a
    /// chunk without resets is written in exactly that shape.
    @Test func aChunkEndingAfterTheCounterHasNoResets() throws {
        let parts = Array(rollupParts(windows: 3, bits: [(4.0 as Double).bitPattern]).prefix(5))
        let chunk = rollup(parts)
        var thanos: [UInt8] = []
        for part in parts {
            let p = try #require(part)
            Varint.appendUvarint(UInt64(p.bytes.count), to: &thanos)
            thanos.append(1)
            thanos += p.bytes
        }
        #expect(chunk.bytes == thanos)
        let back = try RollupChunk(bytes: thanos)
        #expect(!back.contains(.resets) && back.contains(.counter) && back.windowCount == 3)
    }

    @Test func resetsMustBeWholeNumbersAtTheWindowStamps() throws {
        var parts = rollupParts(windows: 2, bits: [(4.0 as Double).bitPattern])
        parts[5] = encode([Sample(t: 59_999, v: 0.5), Sample(t: 119_999, v: 0)])
        #expect(throws: ChunkError.self) { try RollupChunk(bytes: rollup(parts).bytes) }
        parts[5] = encode([Sample(t: 59_999, v: 1), Sample(t: 119_998, v: 0)])
        #expect(throws: ChunkError.self) { try RollupChunk(bytes: rollup(parts).bytes) }
    }
}

@Suite struct RollupChunkCorruptionTests {
    static let parts = rollupParts(windows: 4, bits: [(2.5 as Double).bitPattern, StaleNaN.bits])
    static let good = rollup(parts)

    /// Every prefix but one: the one that ends after the counter is a whole chunk
    /// without resets (Thanos' shape).
    @Test func emptyAndEveryShorterPrefixAreRefused() throws {
        let bytes = Self.good.bytes
        let thanosLength = rollup(Array(Self.parts.prefix(5))).bytes.count
        for n in 0..<bytes.count where n != thanosLength {
            #expect(throws: ChunkError.self, "prefix \(n)") { try RollupChunk(bytes: Array(bytes.prefix(n))) }
        }
        #expect(try !RollupChunk(bytes: Array(bytes.prefix(thanosLength))).contains(.resets))
        #expect(throws: ChunkError.truncated) { try RollupChunk(bytes: []) }
    }

    @Test func bytesAfterTheLastSubChunkAreRefused() {
        #expect(throws: ChunkError.corrupt("1 bytes after the resets sub-chunk")) {
            try RollupChunk(bytes: Self.good.bytes + [0])
        }
    }

    @Test func aChunkWithNoAggregateIsRefused() {
        #expect(throws: ChunkError.corrupt("no aggregate present")) { try RollupChunk(bytes: [0, 0, 0, 0, 0]) }
    }

    @Test func aSubChunkEncodingOtherThanXORIsRefused() {
        var bytes = Self.good.bytes
        let lengthBytes = bytes[0] < 0x80 ? 1 : 2
        bytes[lengthBytes] = 2
        #expect(throws: ChunkError.self) { try RollupChunk(bytes: bytes) }
    }

    @Test func anOverlongLengthIsCorruptNotTruncated() {
        let bytes = [UInt8](repeating: 0xFF, count: 10) + [0x7F] + [UInt8](repeating: 0, count: 20)
        let error = #expect(throws: ChunkError.self) { try RollupChunk(bytes: bytes) }
        guard case .corrupt = error else {
            Issue.record("want corrupt, got \(String(describing: error))")
            return
        }
    }

    @Test func misalignedWindowsAreRefused() {
        var parts = rollupParts(windows: 3, bits: [0])
        parts[2] = encode(samples(ts: [59_999, 119_999, 180_000]))
        #expect(throws: ChunkError.corrupt("min timestamps differ from the other aggregates'")) {
            try RollupChunk(bytes: rollup(parts).bytes)
        }
    }

    @Test(arguments: [0.0, 1.5, -1, .infinity, .nan])
    func aCountThatIsNotAPositiveWholeNumberIsRefused(_ bad: Double) {
        var parts = rollupParts(windows: 2, bits: [0])
        parts[0] = encode([Sample(t: 59_999, v: 1), Sample(t: 119_999, v: bad)])
        #expect(throws: ChunkError.self) { try RollupChunk(bytes: rollup(parts).bytes) }
    }

    @Test func aCounterWithoutItsRepeatedLastPointIsRefused() {
        var parts = rollupParts(windows: 2, bits: [0])
        parts[4] = encode(samples(ts: [0, 59_999, 119_999]))
        #expect(throws: ChunkError.self) { try RollupChunk(bytes: rollup(parts).bytes) }
        parts[4] = encode(samples(ts: [0]))
        #expect(throws: ChunkError.self) { try RollupChunk(bytes: rollup(parts).bytes) }
        parts[4] = encode(samples(ts: [0, 70_000, 60_000, 60_000]))
        #expect(throws: ChunkError.self) { try RollupChunk(bytes: rollup(parts).bytes) }
    }

    @Test func aCorruptSubChunkSurfacesItsError() {
        var parts = rollupParts(windows: 2, bits: [0])
        let xor = try? XORChunk(bytes: [0x00, 0x05, 0x01])
        parts[1] = xor
        #expect(throws: ChunkError.truncated) { try RollupChunk(bytes: rollup(parts).bytes) }
    }

    /// Flipped bytes either decode to a chunk that passes validation or throw a
    /// ChunkError; never a crash.
    @Test func randomDamageNeverCrashes() {
        var rng = SeededRandom(seed: 0x0A66_0C4E)
        let bytes = Self.good.bytes
        for _ in 0..<3_000 {
            var damaged = bytes
            for _ in 0..<rng.int(in: 1...4) {
                damaged[rng.int(in: 0...(damaged.count - 1))] = UInt8.random(in: 0...255, using: &rng)
            }
            if rng.chance(0.2) { damaged.removeLast(rng.int(in: 0...min(5, damaged.count))) }
            do {
                let chunk = try RollupChunk(bytes: damaged)
                #expect(chunk.bytes == damaged)
            } catch {}
        }
    }
}
