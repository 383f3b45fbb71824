import TundraEncoding
import TundraModel

/// A sample addressed by series ref, as the WAL stores it.
public struct RefSample: Sendable, Equatable {
    public var ref: SeriesRef
    public var t: Int64
    public var v: Double

    public init(ref: SeriesRef, t: Int64, v: Double) {
        self.ref = ref
        self.t = t
        self.v = v
    }

    public static func == (l: RefSample, r: RefSample) -> Bool {
        l.ref == r.ref && l.t == r.t && l.v.bitPattern == r.v.bitPattern
    }
}

/// The records of the WAL; byte layout in `docs/format/wal.md`.
public enum WALRecord: Sendable, Equatable {
    /// Series definitions: a ref and its labels. Logged before any sample of the series.
    case series([(ref: SeriesRef, labels: Labels)])
    /// Samples of series defined earlier in the log.
    case samples([RefSample])

    public static func == (l: WALRecord, r: WALRecord) -> Bool {
        switch (l, r) {
        case (.series(let a), .series(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.ref == $1.ref && $0.labels == $1.labels }
        case (.samples(let a), .samples(let b)): a == b
        default: false
        }
    }

    enum Kind: UInt8 {
        case series = 1
        case samples = 2
    }

    var kind: Kind {
        switch self {
        case .series: .series
        case .samples: .samples
        }
    }

    /// Appends the payload (without the frame) to `out`.
    func encodePayload(into out: inout [UInt8]) {
        switch self {
        case .series(let list):
            Varint.appendUvarint(UInt64(list.count), to: &out)
            for (ref, labels) in list {
                Varint.appendUvarint(ref, to: &out)
                Varint.appendUvarint(UInt64(labels.count), to: &out)
                for pair in labels {
                    WALRecord.appendString(pair.name, to: &out)
                    WALRecord.appendString(pair.value, to: &out)
                }
            }
        case .samples(let list):
            Varint.appendUvarint(UInt64(list.count), to: &out)
            let base = list.first?.t ?? 0
            Varint.appendVarint(base, to: &out)
            // The hot path of every append: encode into a buffer sized for the worst
            // case (two 10-byte varints and 8 value bytes a sample), then trim.
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: list.count * 28))
            let written = out.withUnsafeMutableBytes { buf -> Int in
                var i = start
                for s in list {
                    i = Varint.putUvarint(s.ref, into: buf, at: i)
                    i = Varint.putUvarint(Varint.zigzag(s.t &- base), into: buf, at: i)
                    buf.storeBytes(of: s.v.bitPattern.bigEndian, toByteOffset: i, as: UInt64.self)
                    i += 8
                }
                return i
            }
            out.removeSubrange(written...)
        }
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        Varint.appendUvarint(UInt64(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    /// Decodes a payload of the given kind; nil when it is malformed.
    static func decode(kind: UInt8, payload: UnsafeRawBufferPointer) -> WALRecord? {
        var i = 0
        switch Kind(rawValue: kind) {
        case .series:
            guard let n = Varint.readUvarint(payload, at: &i), n <= UInt64(payload.count) else { return nil }
            var list: [(ref: SeriesRef, labels: Labels)] = []
            list.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let ref = Varint.readUvarint(payload, at: &i),
                    let np = Varint.readUvarint(payload, at: &i), np <= UInt64(payload.count)
                else { return nil }
                var pairs: [Label] = []
                pairs.reserveCapacity(Int(np))
                for _ in 0..<np {
                    guard let name = readString(payload, at: &i), let value = readString(payload, at: &i) else { return nil }
                    pairs.append(Label(name, value))
                }
                list.append((ref, Labels(sorted: pairs)))
            }
            return i == payload.count ? .series(list) : nil
        case .samples:
            guard let n = Varint.readUvarint(payload, at: &i), n <= UInt64(payload.count),
                let base = Varint.readVarint(payload, at: &i)
            else { return nil }
            var list: [RefSample] = []
            list.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let ref = Varint.readUvarint(payload, at: &i),
                    let dt = Varint.readVarint(payload, at: &i),
                    i + 8 <= payload.count
                else { return nil }
                var bits: UInt64 = 0
                for k in 0..<8 { bits = bits << 8 | UInt64(payload[i + k]) }
                i += 8
                list.append(RefSample(ref: ref, t: base &+ dt, v: Double(bitPattern: bits)))
            }
            return i == payload.count ? .samples(list) : nil
        case nil:
            return nil
        }
    }

    private static func readString(_ p: UnsafeRawBufferPointer, at i: inout Int) -> String? {
        guard let len = Varint.readUvarint(p, at: &i), len <= UInt64(p.count - i) else { return nil }
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: p[i..<i + Int(len)]), as: UTF8.self)
        i += Int(len)
        return s
    }
}
