import TundraHead
import TundraModel

/// A decoder for `prometheus.WriteRequest` written for the write path alone: it reads
/// the wire format straight into labels and samples, with no intermediate message
/// objects. The benchmark showed swift-protobuf's generic message decoding taking
/// 44% of ingest CPU (docs/benchmarks.md); swift-protobuf stays the reference, and
/// the tests decode every case with both and compare.
///
/// Wire format facts used (protobuf encoding spec): a field is a varint key
/// `field_number << 3 | wire_type`; wire types 0 varint, 1 fixed 64-bit, 2
/// length-delimited, 5 fixed 32-bit. Unknown fields are skipped, as proto3 requires.
struct WriteRequestV1Reader {
    struct Malformed: Error {
        let message: String
    }

    private let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func decode(_ raw: [UInt8]) throws(RemoteWriteDecodeError) -> DecodedWrite {
        let result: Result<DecodedWrite, Malformed> = raw.withUnsafeBytes { buf in
            do throws(Malformed) {
                return .success(try WriteRequestV1Reader(buf).request())
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let d): return d
        case .failure(let e):
            throw RemoteWriteDecodeError("body is not a valid prometheus.WriteRequest protobuf message: \(e.message)")
        }
    }

    private func request() throws(Malformed) -> DecodedWrite {
        var out = DecodedWrite()
        var pos = 0
        var pairs: [Label] = []
        var samples: [Sample] = []
        while pos < bytes.count {
            let (field, wire) = try key(&pos)
            switch (field, wire) {
            case (1, 2):
                let end = try length(&pos)
                pairs.removeAll(keepingCapacity: true)
                samples.removeAll(keepingCapacity: true)
                try timeSeries(pos, end, &pairs, &samples, &out)
                pos = end
                guard !samples.isEmpty else { continue }
                switch RemoteWriteDecoder.labels(pairs) {
                case .success(let labels): out.series.append(SeriesSamples(labels: labels, samples: samples))
                case .failure(let why): out.invalid.append((RemoteWriteDecoder.describe(pairs), why, samples.count))
                }
            case (3, 2):
                let end = try length(&pos)
                try metadata(pos, end, &out)
                pos = end
            default:
                try skip(wire, &pos, field: field)
            }
        }
        return out
    }

    private func timeSeries(
        _ start: Int, _ end: Int, _ pairs: inout [Label], _ samples: inout [Sample], _ out: inout DecodedWrite
    ) throws(Malformed) {
        var pos = start
        while pos < end {
            let (field, wire) = try key(&pos, end)
            switch (field, wire) {
            case (1, 2):
                let e = try length(&pos, end)
                var name = ""
                var value = ""
                var p = pos
                while p < e {
                    let (f, w) = try key(&p, e)
                    switch (f, w) {
                    case (1, 2): name = try string(&p, e)
                    case (2, 2): value = try string(&p, e)
                    default: try skip(w, &p, end: e, field: f)
                    }
                }
                pairs.append(Label(name, value))
                pos = e
            case (2, 2):
                let e = try length(&pos, end)
                var v = 0.0
                var t: Int64 = 0
                var p = pos
                while p < e {
                    let (f, w) = try key(&p, e)
                    switch (f, w) {
                    case (1, 1): v = Double(bitPattern: try fixed64(&p, e))
                    case (2, 0): t = Int64(bitPattern: try varint(&p, e))
                    default: try skip(w, &p, end: e, field: f)
                    }
                }
                samples.append(Sample(t: t, v: v))
                pos = e
            case (3, 2):
                out.exemplars += 1
                pos = try length(&pos, end)
            case (4, 2):
                out.histograms += 1
                pos = try length(&pos, end)
            default:
                try skip(wire, &pos, end: end, field: field)
            }
        }
    }

    private func metadata(_ start: Int, _ end: Int, _ out: inout DecodedWrite) throws(Malformed) {
        var pos = start
        var type = 0
        var family = ""
        var help = ""
        var unit = ""
        while pos < end {
            let (field, wire) = try key(&pos, end)
            switch (field, wire) {
            case (1, 0): type = Int(truncatingIfNeeded: try varint(&pos, end))
            case (2, 2): family = try string(&pos, end)
            case (4, 2): help = try string(&pos, end)
            case (5, 2): unit = try string(&pos, end)
            default: try skip(wire, &pos, end: end, field: field)
            }
        }
        if !family.isEmpty {
            out.metadata[family] = MetricMetadata(type: RemoteWriteDecoder.typeName(type), help: help, unit: unit)
        }
    }

    // MARK: wire primitives

    @inline(__always)
    private func varint(_ pos: inout Int, _ end: Int? = nil) throws(Malformed) -> UInt64 {
        let limit = end ?? bytes.count
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while pos < limit {
            let b = bytes[pos]
            pos += 1
            if shift == 63 && b > 1 { throw Malformed(message: "varint overflows 64 bits at offset \(pos - 1)") }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw Malformed(message: "varint longer than 10 bytes at offset \(pos - 1)") }
        }
        throw Malformed(message: "truncated varint at offset \(pos)")
    }

    @inline(__always)
    private func key(_ pos: inout Int, _ end: Int? = nil) throws(Malformed) -> (Int, Int) {
        let k = try varint(&pos, end)
        let field = k >> 3
        guard field > 0, field <= 536_870_911 else { throw Malformed(message: "invalid field number \(field)") }
        return (Int(field), Int(k & 7))
    }

    /// Reads a length and returns the end offset of the field it prefixes.
    @inline(__always)
    private func length(_ pos: inout Int, _ end: Int? = nil) throws(Malformed) -> Int {
        let limit = end ?? bytes.count
        let n = try varint(&pos, limit)
        guard n <= UInt64(limit - pos) else {
            throw Malformed(message: "length \(n) at offset \(pos) runs past the end of its message")
        }
        return pos + Int(n)
    }

    @inline(__always)
    private func fixed64(_ pos: inout Int, _ end: Int) throws(Malformed) -> UInt64 {
        guard end - pos >= 8 else { throw Malformed(message: "truncated fixed64 at offset \(pos)") }
        let v = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
        pos += 8
        return v
    }

    @inline(__always)
    private func string(_ pos: inout Int, _ end: Int) throws(Malformed) -> String {
        let e = try length(&pos, end)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[pos..<e])
        // Label text is nearly always ASCII: copy it without the generic validating
        // initialiser, whose metadata look-ups cost a quarter of decoding.
        var ascii = true
        for b in slice where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            pos = e
            return String(unsafeUninitializedCapacity: slice.count) { buf in
                _ = buf.initialize(from: slice)
                return slice.count
            }
        }
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw Malformed(message: "string at offset \(pos) is not valid UTF-8")
        }
        pos = e
        return s
    }

    private func skip(_ wire: Int, _ pos: inout Int, end: Int? = nil, field: Int, depth: Int = 0) throws(Malformed) {
        let limit = end ?? bytes.count
        switch wire {
        case 3:
            // A group (deprecated, but legal as an unknown field): skip to its end
            // marker, nesting bounded as swift-protobuf bounds it.
            guard depth < 100 else { throw Malformed(message: "groups nested more than 100 deep at offset \(pos)") }
            while true {
                let (f, w) = try key(&pos, limit)
                if w == 4 {
                    guard f == field else { throw Malformed(message: "end of group \(f) where group \(field) was open") }
                    return
                }
                try skip(w, &pos, end: limit, field: f, depth: depth + 1)
            }
        case 0: _ = try varint(&pos, limit)
        case 1:
            guard limit - pos >= 8 else { throw Malformed(message: "truncated field \(field) at offset \(pos)") }
            pos += 8
        case 2: pos = try length(&pos, limit)
        case 5:
            guard limit - pos >= 4 else { throw Malformed(message: "truncated field \(field) at offset \(pos)") }
            pos += 4
        default:
            throw Malformed(message: "field \(field) has wire type \(wire), which this message never uses")
        }
    }
}
