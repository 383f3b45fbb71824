import TundraModel

extension RollupChunk {
    /// Splits the five length-prefixed entries. Exactly five, nothing after them.
    static func split(_ bytes: [UInt8]) throws(ChunkError) -> [XORChunk?] {
        var parts: [XORChunk?] = []
        var index = 0
        for aggregate in Aggregate.allCases {
            // Thanos' chunks, and ours without resets, end after the counter.
            if aggregate == .resets && index == bytes.count {
                parts.append(nil)
                continue
            }
            let length = try readLength(bytes, at: &index, aggregate: aggregate)
            if length == 0 {
                parts.append(nil)
                continue
            }
            guard index < bytes.count else { throw .truncated }
            let encoding = bytes[index]
            guard encoding == ChunkEncoding.xor.rawValue else {
                throw .corrupt("\(aggregate) sub-chunk has encoding \(encoding); rollups hold XOR (1) sub-chunks")
            }
            index += 1
            guard length <= UInt64(bytes.count - index) else { throw .truncated }
            let end = index + Int(length)
            parts.append(try XORChunk(bytes: Array(bytes[index..<end])))
            index = end
        }
        guard index == bytes.count else {
            throw .corrupt("\(bytes.count - index) bytes after the resets sub-chunk")
        }
        guard parts.contains(where: { $0 != nil }) else { throw .corrupt("no aggregate present") }
        return parts
    }

    private static func readLength(_ bytes: [UInt8], at index: inout Int, aggregate: Aggregate) throws(ChunkError) -> UInt64 {
        let start = index
        let value = bytes.withUnsafeBytes { Varint.readUvarint($0, at: &index) }
        if let value { return value }
        // A varint that runs off the end is truncation; one that overflows is corruption.
        let rest = bytes[start...].prefix(Varint.maxLength)
        if rest.count < Varint.maxLength && rest.allSatisfy({ $0 >= 0x80 }) { throw .truncated }
        throw .corrupt("\(aggregate) sub-chunk length is not a valid uvarint at byte \(start)")
    }

    /// Checks the points against what the writer produces, so a reader never computes
    /// a rate from a chunk whose shape it would have to guess about.
    static func validate(_ decoded: [[Sample]?]) throws(ChunkError) {
        var windows: [Int64]?
        for aggregate in Aggregate.windowAggregates {
            guard let points = decoded[aggregate.rawValue] else { continue }
            let ts = points.map(\.t)
            if let windows {
                guard ts == windows else { throw .corrupt("\(aggregate) timestamps differ from the other aggregates'") }
            } else {
                guard !ts.isEmpty else { throw .corrupt("\(aggregate) sub-chunk holds no window") }
                for i in 1..<ts.count where ts[i] <= ts[i - 1] {
                    throw .corrupt("\(aggregate) timestamps do not increase at point \(i)")
                }
                windows = ts
            }
        }
        if let counts = decoded[Aggregate.count.rawValue] {
            for (i, c) in counts.enumerated() where !(c.v >= 1 && c.v.rounded() == c.v && c.v.isFinite) {
                throw .corrupt("count \(c.v) at window \(i) is not a positive whole number")
            }
        }
        if let resets = decoded[Aggregate.resets.rawValue] {
            for (i, r) in resets.enumerated() where !(r.v >= 0 && r.v.rounded() == r.v && r.v.isFinite) {
                throw .corrupt("resets \(r.v) at window \(i) is not a whole number")
            }
        }
        if let counter = decoded[Aggregate.counter.rawValue] {
            // First raw value, strictly increasing window points, then the last raw value
            // repeating the final timestamp.
            guard counter.count >= 2 else { throw .corrupt("counter sub-chunk has \(counter.count) point; it needs at least 2") }
            let last = counter.count - 1
            guard counter[last].t == counter[last - 1].t else {
                throw .corrupt("counter sub-chunk does not end with the last raw value at a repeated timestamp")
            }
            for i in 1..<last where counter[i].t <= counter[i - 1].t {
                throw .corrupt("counter timestamps do not increase at point \(i)")
            }
        }
    }
}
