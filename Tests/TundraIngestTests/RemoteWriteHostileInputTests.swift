import Foundation
import Testing
import TundraFuzz
import TundraModel
import TundraTestSupport

@testable import TundraIngest

/// Hand-written protobuf, for bytes the generated messages will not produce (invalid
/// UTF-8, lengths that lie, groups).
enum PB {
    static func varint(_ n: UInt64) -> [UInt8] {
        var n = n
        var out: [UInt8] = []
        while n >= 0x80 {
            out.append(UInt8(n & 0x7f) | 0x80)
            n >>= 7
        }
        out.append(UInt8(n))
        return out
    }

    static func tag(_ field: UInt64, _ wire: UInt64) -> [UInt8] { varint(field << 3 | wire) }
    static func bytes(_ field: UInt64, _ data: [UInt8]) -> [UInt8] { tag(field, 2) + varint(UInt64(data.count)) + data }
    static func string(_ field: UInt64, _ s: String) -> [UInt8] { bytes(field, Array(s.utf8)) }
    static func double(_ field: UInt64, _ v: Double) -> [UInt8] {
        tag(field, 1) + withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) }
    }
    static func uint(_ field: UInt64, _ n: UInt64) -> [UInt8] { tag(field, 0) + varint(n) }
    static func packed(_ field: UInt64, _ ns: [UInt64]) -> [UInt8] { bytes(field, ns.flatMap { varint($0) }) }

    /// A v1 / v2 sample (same layout in both).
    static func sample(_ t: Int64, _ v: Double) -> [UInt8] { double(1, v) + uint(2, UInt64(bitPattern: t)) }
    /// A v1 label with raw name and value bytes.
    static func v1Label(_ name: [UInt8], _ value: [UInt8]) -> [UInt8] { bytes(1, name) + bytes(2, value) }
}

/// Hostile bodies replayed through the fuzz entry and the decoder: every one must end in
/// a thrown error or a successful decode, and the fuzz entry (which traps on a broken
/// invariant) must agree with the plain decodes.
@Suite struct RemoteWriteHostileInputTests {
    let decoder = RemoteWriteDecoder()

    static var v1Body: Prometheus_WriteRequest {
        RWBuild.v1(
            [
                TestSeries(
                    labels: [("__name__", "http_requests_total"), ("job", "api"), ("code", "200")],
                    samples: [Sample(t: 1000, v: 1.5), Sample(t: 2000, v: StaleNaN.value)], exemplars: 1, histograms: 1),
                TestSeries(labels: [("__name__", "up"), ("instance", "a")], samples: [Sample(t: 1000, v: 1)]),
                TestSeries(labels: [("bad-name", "x")], samples: [Sample(t: 1000, v: 1)]),
            ],
            metadata: [RWBuild.v1Metadata("http_requests_total", .counter, help: "Requests.")])
    }

    static var v2Body: Io_Prometheus_Write_V2_Request {
        var req = RWBuild.v2([
            TestSeries(
                labels: [("__name__", "http_requests_total"), ("job", "api")],
                samples: [Sample(t: 1000, v: 2.5), Sample(t: 2000, v: StaleNaN.value)], exemplars: 2, histograms: 1),
            TestSeries(labels: [("__name__", "up"), ("job", "api")], samples: [Sample(t: 1000, v: 1)]),
        ])
        var md = Io_Prometheus_Write_V2_Metadata()
        md.type = .counter
        md.helpRef = UInt32(req.symbols.count)
        req.symbols.append("Requests.")
        req.timeseries[0].metadata = md
        return req
    }

    /// Decodes every way and checks the fuzz entry agrees; returns the outcome of the
    /// given decode (samples, or nil when it threw).
    @discardableResult
    func replay(_ bytes: [UInt8], _ version: RemoteWriteVersion, compressed: Bool, _ what: String) -> Int? {
        #expect(RWCheck.fuzzAgrees(bytes), "\(what)")
        return RWCheck.samples(bytes, version, compressed: compressed)
    }

    // MARK: truncation

    @Test(arguments: [RemoteWriteVersion.v1, .v2])
    func truncatedAtEveryLength(version: RemoteWriteVersion) throws {
        let raw = version == .v1 ? try RWBuild.raw(Self.v1Body) : try RWBuild.raw(Self.v2Body)
        let full = try #require(replay(raw, version, compressed: false, "full raw"))
        #expect(full == 3)
        var decodedPrefixes = 0
        for n in 0..<raw.count {
            if let samples = replay(Array(raw.prefix(n)), version, compressed: false, "raw prefix \(n)") {
                decodedPrefixes += 1
                #expect(samples <= full, "raw prefix \(n)")
            }
        }
        // Cut between top-level fields, a prefix is a valid (smaller) message.
        #expect(decodedPrefixes > 0)
        #expect(decodedPrefixes < raw.count)

        let body = Snappy.compress(raw)
        #expect(replay(body, version, compressed: true, "full body") == full)
        for n in 0..<body.count {
            // A snappy body cut short never decompresses.
            #expect(replay(Array(body.prefix(n)), version, compressed: true, "body prefix \(n)") == nil, "body prefix \(n)")
        }
    }

    // MARK: lengths that lie

    @Test func hugeDeclaredProtobufLengthsAreErrors() {
        let huge: [UInt64] = [1 << 31 - 1, 1 << 31, 1 << 32, 1 << 62, 1 << 63 - 1, 1 << 63, .max]
        for n in huge {
            let cases: [(String, RemoteWriteVersion, [UInt8])] = [
                ("v1 timeseries", .v1, PB.tag(1, 2) + PB.varint(n) + [0x0a, 0x00]),
                ("v1 label in timeseries", .v1, PB.bytes(1, PB.tag(1, 2) + PB.varint(n) + [0x00])),
                ("v1 label name", .v1, PB.bytes(1, PB.bytes(1, PB.tag(1, 2) + PB.varint(n)))),
                ("v1 metadata help", .v1, PB.bytes(3, PB.tag(4, 2) + PB.varint(n) + [0x41])),
                ("v2 symbol", .v2, PB.tag(4, 2) + PB.varint(n) + [0x61]),
                ("v2 packed labels_refs", .v2, PB.bytes(5, PB.tag(1, 2) + PB.varint(n) + [0x01, 0x02])),
                ("unknown field", .v1, PB.tag(9, 2) + PB.varint(n)),
            ]
            for (what, version, bytes) in cases {
                #expect(replay(bytes, version, compressed: false, "\(what), length \(n)") == nil, "\(what), length \(n)")
                let body = Snappy.compress(bytes)
                #expect(replay(body, version, compressed: true, "\(what) compressed, length \(n)") == nil)
            }
        }
    }

    @Test func overlongVarintsAreErrors() {
        // Eleven bytes of varint: more than 64 bits.
        let overlong = [UInt8](repeating: 0xff, count: 10) + [0x01]
        #expect(replay(PB.tag(1, 2) + overlong, .v1, compressed: false, "overlong length") == nil)
        #expect(replay(overlong, .v2, compressed: false, "overlong tag") == nil)
        #expect(replay(PB.bytes(5, PB.tag(6, 0) + overlong), .v2, compressed: false, "overlong created_timestamp") == nil)
    }

    @Test func snappyHeaderClaimingFourGigabytesIsRefused() throws {
        let body: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f] + [UInt8](repeating: 0, count: 32)
        for version in [RemoteWriteVersion.v1, .v2] {
            let error = #expect(throws: RemoteWriteDecodeError.self) { try decoder.decode(compressed: body, version: version) }
            #expect(error?.description.contains("4294967295") == true)
            #expect(replay(body, version, compressed: true, "4 GB header") == nil)
        }
    }

    // MARK: nesting and repetition

    /// Unknown field 15 as `depth` nested groups.
    static func groups(_ depth: Int) -> [UInt8] {
        Array(repeating: PB.tag(15, 3), count: depth).flatMap { $0 } + Array(repeating: PB.tag(15, 4), count: depth).flatMap { $0 }
    }

    @Test func deeplyNestedGroupsAreRefusedAndShallowOnesSkipped() {
        // Unknown field 15 as nested groups: past the decoder's depth limit an error,
        // within it skipped.
        for depth in [200, 10_000, 100_000] {
            let bytes = Self.groups(depth)
            #expect(replay(bytes, .v1, compressed: false, "groups \(depth) deep") == nil)
            #expect(replay(bytes, .v2, compressed: false, "groups \(depth) deep") == nil)
            #expect(replay(Snappy.compress(bytes), .v1, compressed: true, "groups \(depth) deep, compressed") == nil)
        }
        let shallow = Self.groups(20)
        #expect(replay(shallow, .v1, compressed: false, "groups 20 deep") == 0)
        // Unterminated and mismatched groups.
        #expect(replay(PB.tag(15, 3) + PB.tag(15, 3) + PB.tag(15, 4), .v1, compressed: false, "unterminated group") == nil)
        #expect(replay(PB.tag(15, 3) + PB.tag(14, 4), .v1, compressed: false, "mismatched end group") == nil)
        #expect(replay(PB.tag(15, 4), .v2, compressed: false, "lone end group") == nil)
    }

    @Test func deeplyNestedLengthDelimitedFieldsAreSkipped() {
        // Unknown length-delimited fields nested 2 000 deep inside a v1 label: skipped as
        // bytes, never recursed into.
        var inner: [UInt8] = []
        for _ in 0..<2_000 { inner = PB.bytes(9, inner) }
        let series = PB.bytes(1, PB.v1Label(Array("__name__".utf8), Array("m".utf8)) + inner) + PB.bytes(2, PB.sample(1, 1))
        let bytes = PB.bytes(1, series)
        #expect(replay(bytes, .v1, compressed: false, "nested unknown bytes") == 1)
        #expect(replay(Snappy.compress(bytes), .v1, compressed: true, "nested unknown bytes, compressed") == 1)
    }

    @Test func repeatedFieldsInBulk() throws {
        // 100 000 empty time series, 20 000 labels on one series, the same label 5 000
        // times, 50 000 samples, 10 000 copies of one metadata entry.
        let empties: [UInt8] = Array([[UInt8]](repeating: [0x0a, 0x00], count: 100_000).joined())
        #expect(replay(empties, .v1, compressed: false, "empty series") == 0)
        #expect(try decoder.decode(raw: empties, version: .v1).invalid.isEmpty)

        let manyLabels = RWBuild.v1([
            TestSeries(labels: [("__name__", "m")] + (0..<20_000).map { ("l\($0)", "v\($0)") }, samples: [Sample(t: 1, v: 1)])
        ])
        let w1 = try decoder.decode(compressed: try RWBuild.compressed(manyLabels), version: .v1)
        #expect(w1.series.first?.labels.count == 20_001)

        let sameLabel = RWBuild.v1([
            TestSeries(labels: [("__name__", "m")] + Array(repeating: ("a", "1"), count: 5_000), samples: [Sample(t: 1, v: 1)])
        ])
        let w2 = try decoder.decode(compressed: try RWBuild.compressed(sameLabel), version: .v1)
        #expect(w2.series.isEmpty)
        #expect(w2.invalid.first?.reason.contains("duplicate label name \"a\"") == true)

        let manySamples = RWBuild.v2([
            TestSeries(labels: [("__name__", "m")], samples: (0..<50_000).map { Sample(t: Int64($0), v: Double($0)) })
        ])
        let w3 = try decoder.decode(compressed: try RWBuild.compressed(manySamples), version: .v2)
        #expect(w3.sampleCount == 50_000)
        #expect(w3.series.first?.samples.last == Sample(t: 49_999, v: 49_999))

        let md = RWBuild.v1Metadata("m", .gauge, help: "last one wins")
        var first = md
        first.help = "first"
        let repeated = RWBuild.v1([], metadata: [first] + Array(repeating: md, count: 10_000))
        let w4 = try decoder.decode(compressed: try RWBuild.compressed(repeated), version: .v1)
        #expect(w4.metadata == ["m": MetricMetadata(type: "gauge", help: "last one wins", unit: "")])

        // The same labels_refs pair over and over in v2: one duplicate-name refusal.
        var dup = RWBuild.v2([TestSeries(labels: [("__name__", "m"), ("a", "1")], samples: [Sample(t: 1, v: 1)])])
        dup.timeseries[0].labelsRefs += Array(repeating: dup.timeseries[0].labelsRefs.suffix(2), count: 5_000).flatMap { $0 }
        let w5 = try decoder.decode(raw: try RWBuild.raw(dup), version: .v2)
        #expect(w5.series.isEmpty && w5.invalid.count == 1)
    }

    // MARK: strings

    @Test func invalidUTF8InLabelStringsIsAnError() throws {
        let badStrings: [[UInt8]] = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], Array("up".utf8) + [0xfe]]
        for bad in badStrings {
            let inName = PB.bytes(1, PB.bytes(1, PB.v1Label(bad, Array("x".utf8))) + PB.bytes(2, PB.sample(1, 1)))
            let inValue = PB.bytes(1, PB.bytes(1, PB.v1Label(Array("__name__".utf8), bad)) + PB.bytes(2, PB.sample(1, 1)))
            let inHelp = PB.bytes(3, PB.string(2, "m") + PB.bytes(4, bad))
            let inSymbol =
                PB.string(4, "") + PB.string(4, "__name__") + PB.bytes(4, bad)
                + PB.bytes(5, PB.packed(1, [1, 2]) + PB.bytes(2, PB.sample(1, 1)))
            #expect(replay(inName, .v1, compressed: false, "label name \(bad)") == nil)
            #expect(replay(inValue, .v1, compressed: false, "label value \(bad)") == nil)
            #expect(replay(inHelp, .v1, compressed: false, "help \(bad)") == nil)
            #expect(replay(inSymbol, .v2, compressed: false, "symbol \(bad)") == nil)
            #expect(replay(Snappy.compress(inSymbol), .v2, compressed: true, "symbol \(bad), compressed") == nil)
        }
        // The same bodies with valid strings decode, so the errors above are about UTF-8.
        let good = PB.bytes(
            1,
            PB.bytes(1, PB.v1Label(Array("__name__".utf8), Array("up".utf8)))
                + PB.bytes(1, PB.v1Label(Array("city".utf8), Array("Zürich".utf8)))
                + PB.bytes(2, PB.sample(1, 1)))
        #expect(replay(good, .v1, compressed: false, "valid UTF-8") == 1)
        #expect(try RemoteWriteDecoder().decode(raw: good, version: .v1).series.first?.labels["city"] == "Zürich")
    }

    @Test func megabyteLabelValue() throws {
        let big = String(repeating: "v", count: 1 << 20)
        let v1 = RWBuild.v1([TestSeries(labels: [("__name__", "m"), ("big", big)], samples: [Sample(t: 1, v: 1)])])
        let w1 = try decoder.decode(compressed: try RWBuild.compressed(v1), version: .v1)
        #expect(w1.series.first?.labels["big"]?.utf8.count == 1 << 20)
        let v2 = RWBuild.v2([TestSeries(labels: [("__name__", "m"), ("big", big)], samples: [Sample(t: 1, v: 1)])])
        let body = try RWBuild.compressed(v2)
        let w2 = try decoder.decode(compressed: body, version: .v2)
        #expect(w2.series.first?.labels["big"] == big)
        #expect(RWCheck.fuzzAgrees(try RWBuild.raw(v2)))
        #expect(RWCheck.fuzzAgrees(body))
        // The same value as a label name is refused as a series, not as the body.
        let asName = RWBuild.v1([TestSeries(labels: [("__name__", "m"), (big + "-", "1")], samples: [Sample(t: 1, v: 1)])])
        let w3 = try decoder.decode(compressed: try RWBuild.compressed(asName), version: .v1)
        #expect(w3.series.isEmpty && w3.invalid.count == 1)
    }

    // MARK: random mutation

    /// One random edit: flip a bit, set a byte, insert, delete, duplicate or cut.
    static func mutate(_ bytes: inout [UInt8], _ rng: inout SeededRandom) {
        guard !bytes.isEmpty else {
            bytes.append(UInt8.random(in: 0...255, using: &rng))
            return
        }
        let i = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: bytes[i] ^= 1 << UInt8.random(in: 0...7, using: &rng)
        case 1: bytes[i] = UInt8.random(in: 0...255, using: &rng)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
        case 3: bytes.remove(at: i)
        case 4:
            let chunk = Array(bytes[i..<(i + Int.random(in: 1...min(16, bytes.count - i), using: &rng))])
            bytes.insert(contentsOf: chunk, at: Int.random(in: 0...bytes.count, using: &rng))
        case 5: bytes.removeSubrange(i...)
        default: bytes[i] = [0x00, 0x7f, 0x80, 0xff][Int.random(in: 0..<4, using: &rng)]
        }
    }

    @Test func randomMutationsOfValidBodies() throws {
        var rng = SeededRandom(seed: 0x5257_F022)
        let seeds = [
            try RWBuild.raw(Self.v1Body), try RWBuild.compressed(Self.v1Body),
            try RWBuild.raw(Self.v2Body), try RWBuild.compressed(Self.v2Body),
        ]
        var decoded = 0
        var failed = 0
        var disagreements: [String] = []
        for round in 0..<4000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) { Self.mutate(&bytes, &rng) }
            let got = RemoteWriteFuzz.run(bytes)
            let want = RWCheck.expectedRun(bytes)
            if got != want { disagreements.append("round \(round): run \(got), decodes \(want)") }
            let version: RemoteWriteVersion = round % 4 < 2 ? .v1 : .v2
            if RWCheck.samples(bytes, version, compressed: round % 2 == 1) != nil { decoded += 1 } else { failed += 1 }
        }
        #expect(disagreements.isEmpty, "seed \(rng.seed): \(disagreements.prefix(5))")
        // Both outcomes occur, so the mutations are neither all harmless nor all fatal.
        #expect(decoded > 100, "seed \(rng.seed)")
        #expect(failed > 100, "seed \(rng.seed)")
    }

    @Test func randomBytes() {
        var rng = SeededRandom(seed: 0xBAD_B0D1)
        var agreed = 0
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if RWCheck.fuzzAgrees(bytes) { agreed += 1 }
        }
        #expect(agreed == 2000, "seed \(rng.seed)")
    }
}
