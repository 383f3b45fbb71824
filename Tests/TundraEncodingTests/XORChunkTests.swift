import Testing
import TundraEncoding
import TundraModel
import TundraTestSupport

/// Exact round trips of XOR chunks: every float bit pattern class, every timestamp shape,
/// every delta-of-delta bucket edge. Values are compared by `.bitPattern` (``Sample``'s
/// `==` does that), so a NaN payload that changed in transit fails the test.
@Suite struct XORChunkTests {
    // MARK: Values

    @Test(arguments: bitClasses)
    func roundTripKeepsEveryBitPatternClassExactly(_ c: BitCase) throws {
        let v = c.bits
        // The value first, after an ordinary value, repeated, and around other values, so
        // every XOR path (raw first value, new window, reused window, zero XOR) carries it.
        let patterns: [[UInt64]] = [
            [v],
            [v, v, v],
            [(1.0 as Double).bitPattern, v],
            [v, (1.0 as Double).bitPattern, v, (2.5 as Double).bitPattern, v, v],
            [v, ~v, v, v ^ 1, v, v ^ 0x8000_0000_0000_0000, v],
        ]
        for bits in patterns {
            let input = samples(bits: bits)
            let out = try encode(input).samples()
            #expect(out.map(\.v.bitPattern) == bits, "\(c.testDescription) in \(bits.map(hex))")
            #expect(out.map(\.t) == input.map(\.t))
        }
    }

    @Test func roundTripBetweenEveryPairOfBitClasses() {
        var failures: [String] = []
        for a in bitClasses {
            for b in bitClasses {
                let input = samples(bits: [a.bits, b.bits, a.bits, a.bits, b.bits, b.bits, a.bits])
                if let m = roundTripMismatch(input) { failures.append("\(a.name) / \(b.name): \(m)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test func roundTripKeepsNaNPayloadBits() throws {
        let nans: [UInt64] = [StaleNaN.bits, 0x7FF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0xFFF8_0000_0000_0001, 0x7FF0_0000_0000_0003]
        let out = try encode(samples(bits: nans)).samples()
        #expect(out.map(\.v.bitPattern) == nans)
        #expect(StaleNaN.isStale(out[0].v))
        #expect(!StaleNaN.isStale(out[1].v))
    }

    @Test func roundTripTellsNegativeZeroFromZero() throws {
        let out = try encode(samples(bits: [0, 0x8000_0000_0000_0000, 0, 0x8000_0000_0000_0000])).samples()
        #expect(out.map { $0.v.sign } == [.plus, .minus, .plus, .minus])
        #expect(out.map(\.v.bitPattern) == [0, 0x8000_0000_0000_0000, 0, 0x8000_0000_0000_0000])
    }

    // MARK: Timestamps

    @Test func regularIntervalsRoundTripWithOneBitPerTimestamp() throws {
        let ts = (0..<120).map { 1_700_000_000_000 + Int64($0) * 15_000 }
        let constant = ts.map { Sample(t: $0, v: 7.0) }
        let chunk = encode(constant)
        #expect(try chunk.samples() == constant)
        // 2 header + 6 varint(t0) + 8 value + 2 uvarint(15000) bytes, then 1 XOR bit for
        // sample 2 and 2 bits (dod '0', XOR '0') for each of the other 118.
        #expect(chunk.bytes.count == 2 + 6 + 8 + 2 + (1 + 118 * 2 + 7) / 8)
    }

    @Test func jitteredTimestampsRoundTrip() {
        var rng = SeededRandom(seed: 0x7177)
        for _ in 0..<50 {
            var t: Int64 = 1_700_000_000_000
            var input: [Sample] = []
            for _ in 0..<240 {
                input.append(Sample(t: t, v: Double(rng.int(in: 0...1000))))
                t += 15_000 + rng.int64(in: -500...500)
            }
            #expect(roundTripMismatch(input) == nil, "seed \(rng.seed)")
        }
    }

    @Test func hugeGapsWrapAroundAndRoundTrip() {
        let half = Int64.max / 2
        var ts: [Int64] = [0]
        for _ in 0..<8 { ts.append(ts.last! &+ half) }
        ts += [ts.last! &+ 1, ts.last! &+ 1 &+ Int64.max]
        #expect(roundTripMismatch(samples(ts: ts)) == nil, "\(ts)")
    }

    @Test func timeGoingBackwardsRoundTrips() {
        let ts: [Int64] = [10_000, 9_000, 11_000, 5_000, 5_000, -20_000, 30_000, 29_999, 0]
        #expect(roundTripMismatch(samples(ts: ts)) == nil)
    }

    @Test func negativeTimestampsRoundTrip() {
        let ts: [Int64] = [-1, -2, -3, -1_000_000, -999_000, -1_700_000_000_000, -1_699_999_985_000]
        #expect(roundTripMismatch(samples(ts: ts)) == nil)
        #expect(roundTripMismatch(samples(ts: [-1])) == nil)
        #expect(roundTripMismatch(samples(ts: [-1_000, -2_000, -3_000, -4_000])) == nil)
    }

    @Test(arguments: [
        [Int64.min, Int64.max],
        [Int64.max, Int64.min],
        [Int64.min, Int64.max, Int64.min, Int64.max, Int64.min],
        [Int64.max, Int64.max, Int64.max, Int64.min, Int64.min, Int64.min],
        [0, Int64.max, 0, Int64.min, 0, -1, Int64.min + 1, Int64.max - 1],
        [Int64.min, Int64.min + 1, Int64.min + 2, Int64.min + 4],
        [Int64.max - 2, Int64.max - 1, Int64.max, Int64.min],
        [-1, Int64.max, -1, Int64.min, 1],
    ])
    func extremeTimestampsRoundTripWithWrappingArithmetic(_ ts: [Int64]) {
        #expect(roundTripMismatch(samples(ts: ts)) == nil, "\(ts)")
    }

    /// Delta-of-delta values at and around each bucket edge, with the bucket xor.go's
    /// `bitRange` picks: n bits hold -(2^(n-1) - 1) ... 2^(n-1).
    static let dodEdges: [DodEdge] = [
        DodEdge(0, 0), DodEdge(1, 14), DodEdge(-1, 14),
        DodEdge(8191, 14), DodEdge(8192, 14), DodEdge(8193, 17), DodEdge(-8190, 14), DodEdge(-8191, 14), DodEdge(-8192, 17), DodEdge(-8193, 17),
        DodEdge(65535, 17), DodEdge(65536, 17), DodEdge(65537, 20), DodEdge(-65534, 17), DodEdge(-65535, 17), DodEdge(-65536, 20), DodEdge(-65537, 20),
        DodEdge(524_287, 20), DodEdge(524_288, 20), DodEdge(524_289, 64), DodEdge(-524_286, 20), DodEdge(-524_287, 20), DodEdge(-524_288, 64), DodEdge(-524_289, 64),
        DodEdge(1 << 40, 64), DodEdge(-(1 << 40), 64), DodEdge(Int64.max, 64), DodEdge(Int64.min, 64), DodEdge(Int64.min + 1, 64),
    ]

    @Test(arguments: dodEdges)
    func eachDodBucketEdgeRoundTripsInItsBucket(_ edge: DodEdge) throws {
        // t = 0, 1000, then a delta of 1000 + dod: the third sample's dod is exactly `dod`.
        let input = samples(ts: [0, 1000, 2000 &+ edge.dod, 3000 &+ edge.dod &+ edge.dod])
        let chunk = encode(input)
        #expect(try chunk.samples() == input)
        let (width, payload) = try dodBucketOfThirdSample(chunk)
        #expect(width == edge.width, "dod \(edge.dod)")
        let mask: UInt64 = width == 64 ? .max : (UInt64(1) << UInt64(width)) &- 1
        if width > 0 { #expect(payload == UInt64(bitPattern: edge.dod) & mask, "dod \(edge.dod)") }
    }

    @Test func everyDodEdgeInOneSeriesRoundTrips() {
        // Consecutive dods walk through all edges, both signs, in one chunk.
        var ts: [Int64] = [0, 1000]
        var delta: Int64 = 1000
        for edge in Self.dodEdges + Self.dodEdges.reversed() {
            delta = delta &+ edge.dod
            ts.append(ts.last! &+ delta)
        }
        #expect(roundTripMismatch(samples(ts: ts)) == nil)
    }

    // MARK: Appender and chunk basics

    @Test func emptyAppenderIsAHeaderOnlyChunk() throws {
        let app = XORAppender()
        #expect(app.chunk.bytes == [0, 0])
        #expect(app.count == 0 && app.lastTimestamp == nil && app.lastValueBits == nil)
        #expect(try app.chunk.samples().isEmpty)
    }

    @Test func appenderTracksCountAndLastSample() {
        var app = XORAppender()
        app.append(t: 5, v: StaleNaN.value)
        app.append(t: 3, v: -0.0)
        #expect(app.count == 2)
        #expect(app.lastTimestamp == 3)
        #expect(app.lastValueBits == 0x8000_0000_0000_0000)
        #expect(app.chunk.count == 2)
        #expect(app.byteCount == app.chunk.bytes.count)
    }

    @Test func chunkSnapshotDoesNotChangeWhenAppendingGoesOn() throws {
        var app = XORAppender()
        app.append(t: 1, v: 1)
        let snapshot = app.chunk
        app.append(t: 2, v: 2)
        #expect(try snapshot.samples() == [Sample(t: 1, v: 1)])
        #expect(try app.chunk.samples() == [Sample(t: 1, v: 1), Sample(t: 2, v: 2)])
    }

    @Test func fullChunkHolds65535SamplesAndSaysSo() throws {
        var rng = SeededRandom(seed: 65535)
        var app = XORAppender()
        var input: [Sample] = []
        input.reserveCapacity(XORAppender.maxSamples)
        var t: Int64 = 0
        while !app.isFull {
            let s = Sample(t: t, v: rng.chance(0.1) ? Double(bitPattern: rng.next()) : 1.0)
            app.append(t: s.t, v: s.v)
            input.append(s)
            t += 1000 + rng.int64(in: -3...3)
        }
        #expect(app.count == 65535)
        #expect(Array(app.chunk.bytes.prefix(2)) == [0xFF, 0xFF])
        #expect(app.chunk.count == 65535)
        #expect(firstMismatch(try app.chunk.samples(), input) == nil, "seed \(rng.seed)")
    }

    @Test func chunkOfFewerThanTwoBytesIsRejected() {
        #expect(throws: ChunkError.truncated) { try XORChunk(bytes: []) }
        #expect(throws: ChunkError.truncated) { try XORChunk(bytes: [0]) }
        #expect((try? XORChunk(bytes: [0, 0]))?.count == 0)
        #expect((try? XORChunk(bytes: [0x12, 0x34]))?.count == 0x1234)
    }
}

/// A delta of deltas and the payload width of the bucket it must be written in.
struct DodEdge: Sendable, CustomTestStringConvertible {
    let dod: Int64
    let width: Int
    init(_ dod: Int64, _ width: Int) {
        self.dod = dod
        self.width = width
    }
    var testDescription: String { "dod \(dod) -> \(width)-bit bucket" }
}

@Suite struct ChunkErrorTests {
    @Test func onlyTheXORAndRollupEncodingBytesAreKnown() throws {
        #expect(try ChunkEncoding.check(1) == .xor)
        #expect(try ChunkEncoding.check(0xFF) == .rollup)
        for b in [UInt8(0), 2, 3, 4, 0xFE] {
            #expect(throws: ChunkError.unknownEncoding(b)) { try ChunkEncoding.check(b) }
        }
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(ChunkError.truncated.description.contains("truncated"))
        #expect(ChunkError.corrupt("bad window").description.contains("bad window"))
        #expect(ChunkError.unknownEncoding(7).description.contains("7"))
    }
}
