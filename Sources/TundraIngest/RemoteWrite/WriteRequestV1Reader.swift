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

    /// Where one label's name and value lie in the request.
    struct LabelSpan {
        var name: Range<Int>
        var value: Range<Int>
    }

    private let bytes: UnsafeRawBufferPointer
    /// When set, series the head already holds are found by the hash of their label
    /// bytes and compared byte by byte, with no String built (see ``KnownSeriesBatch``).
    private let head: Head?

    init(_ bytes: UnsafeRawBufferPointer, head: Head? = nil) {
        self.bytes = bytes
        self.head = head
    }

    static func decode(_ raw: [UInt8], head: Head? = nil) throws(RemoteWriteDecodeError) -> DecodedWrite {
        let result: Result<DecodedWrite, Malformed> = raw.withUnsafeBytes { buf in
            do throws(Malformed) {
                return .success(try WriteRequestV1Reader(buf, head: head).request())
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
        var spans: [LabelSpan] = []
        while pos < bytes.count {
            let (field, wire) = try key(&pos)
            switch (field, wire) {
            case (1, 2):
                let end = try length(&pos)
                spans.removeAll(keepingCapacity: true)
                try timeSeries(pos, end, &spans, &out)
                pos = end
                let start = out.known.pendingStart
                guard out.known.samples.count > start else {
                    // Nothing to store, but the request must still be valid UTF-8 throughout.
                    for span in spans {
                        _ = try string(span.name)
                        _ = try string(span.value)
                    }
                    continue
                }
                if let head, let known = head.series(hash: hash(spans), matching: { matches($0, spans) }) {
                    out.known.close(known)
                    continue
                }
                let samples = Array(out.known.samples[start...])
                out.known.dropPending()
                let pairs = try spans.map { span throws(Malformed) in Label(try string(span.name), try string(span.value)) }
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

    /// ``Labels/stableHash`` of the labels as they stand in the request: equal to the
    /// series' hash when the sender put them in order, as Prometheus does.
    private func hash(_ spans: [LabelSpan]) -> UInt64 {
        var h = LabelsHash.seed
        for span in spans {
            LabelsHash.add(bytes: UnsafeRawBufferPointer(rebasing: bytes[span.name]), to: &h)
            LabelsHash.add(bytes: UnsafeRawBufferPointer(rebasing: bytes[span.value]), to: &h)
        }
        return LabelsHash.finish(h)
    }

    private func matches(_ labels: Labels, _ spans: [LabelSpan]) -> Bool {
        guard labels.count == spans.count else { return false }
        for (pair, span) in zip(labels.pairs, spans) {
            guard equal(pair.name, span.name), equal(pair.value, span.value) else { return false }
        }
        return true
    }

    @inline(__always)
    private func equal(_ s: String, _ range: Range<Int>) -> Bool {
        let utf8 = s.utf8
        guard utf8.count == range.count else { return false }
        let other = UnsafeRawBufferPointer(rebasing: bytes[range])
        return utf8.withContiguousStorageIfAvailable { mine in
            Self.sameBytes(UnsafeRawBufferPointer(mine), other)
        } ?? utf8.elementsEqual(other)
    }

    /// Byte equality of two buffers of the same length, eight bytes a step: label
    /// names and values are short, and a call to memcmp for each cost 7% of ingest.
    @inline(__always)
    static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = a.count
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    private func timeSeries(_ start: Int, _ end: Int, _ spans: inout [LabelSpan], _ out: inout DecodedWrite) throws(Malformed) {
        var pos = start
        while pos < end {
            let (field, wire) = try key(&pos, end)
            switch (field, wire) {
            case (1, 2):
                let e = try length(&pos, end)
                var name = pos..<pos
                var value = pos..<pos
                var p = pos
                while p < e {
                    let (f, w) = try key(&p, e)
                    switch (f, w) {
                    case (1, 2):
                        let fe = try length(&p, e)
                        name = p..<fe
                        p = fe
                    case (2, 2):
                        let fe = try length(&p, e)
                        value = p..<fe
                        p = fe
                    default: try skip(w, &p, end: e, field: f)
                    }
                }
                spans.append(LabelSpan(name: name, value: value))
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
                out.known.appendSample(Sample(t: t, v: v))
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
        let s = try string(pos..<e)
        pos = e
        return s
    }

    private func string(_ range: Range<Int>) throws(Malformed) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        // Label text is nearly always ASCII: copy it without the generic validating
        // initialiser, whose metadata look-ups cost a quarter of decoding.
        var ascii = true
        for b in slice where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            return String(unsafeUninitializedCapacity: slice.count) { buf in
                _ = buf.initialize(from: slice)
                return slice.count
            }
        }
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw Malformed(message: "string at offset \(range.lowerBound) is not valid UTF-8")
        }
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
