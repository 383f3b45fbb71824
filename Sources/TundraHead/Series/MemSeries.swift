import Synchronization
import TundraEncoding
import TundraModel

/// A closed, immutable chunk of one series with its time range.
struct ClosedChunk: Sendable {
    let chunk: XORChunk
    let minT: Int64
    let maxT: Int64
}

/// One series in the head. `ref`, `labels` and `hash` never change after
/// construction, so they are read without the lock; the samples live behind it.
final class MemSeries: Sendable {
    let ref: SeriesRef
    let labels: Labels
    let hash: UInt64
    let data: Mutex<SeriesData>

    init(ref: SeriesRef, labels: Labels, hash: UInt64) {
        self.ref = ref
        self.labels = labels
        self.hash = hash
        self.data = Mutex(SeriesData())
    }
}

/// What an append did with one sample.
enum SampleOutcome {
    case appended
    /// The same timestamp and value bits were already stored: nothing to do.
    case duplicate
    case tooOld(minValid: Int64)
    case conflict(existing: Double)
}

/// The samples of one series: closed chunks, the open chunk, and late samples.
///
/// In-order samples (newer than every stored one) go to the open Gorilla chunk.
/// Late samples, older than the newest but inside the window, go to `late`, a small
/// sorted array merged in at read time, because a Gorilla chunk only appends.
struct SeriesData {
    var closed: [ClosedChunk] = []
    var open: XORAppender?
    var openMinT: Int64 = 0
    var late: [Sample] = []
    /// The newest in-order timestamp, or Int64.min before the first sample.
    var maxT: Int64 = .min
    /// The value bits stored at `maxT`, for the duplicate check.
    var lastValueBits: UInt64 = 0
    /// Set when truncation removed the series from the head: an appender that still
    /// holds it must look the series up again.
    var removed = false

    var isEmpty: Bool { closed.isEmpty && open == nil && late.isEmpty }

    var minTime: Int64? {
        let fromChunks = closed.first?.minT ?? (open != nil ? openMinT : nil)
        switch (fromChunks, late.first?.t) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }

    /// Appends one sample. Nothing older than `headMinValid` is taken (that time is
    /// already cut into blocks); a late sample must also be within `lateWindow` of the
    /// series' newest. Replay passes Int64.min and Int64.max: the WAL holds only
    /// samples that were accepted once.
    mutating func append(_ s: Sample, headMinValid: Int64, lateWindow: Int64, options: HeadOptions) -> SampleOutcome {
        if s.t > maxT {
            guard s.t >= headMinValid else { return .tooOld(minValid: headMinValid) }
            appendInOrder(s, options: options)
            return .appended
        }
        if s.t == maxT {
            return lastValueBits == s.v.bitPattern ? .duplicate : .conflict(existing: Double(bitPattern: lastValueBits))
        }
        let minValid = max(headMinValid, maxT.subtractingReportingOverflow(lateWindow).overflow ? .min : maxT - lateWindow)
        guard s.t >= minValid else { return .tooOld(minValid: minValid) }
        if let existing = find(s.t) {
            return existing.bitPattern == s.v.bitPattern ? .duplicate : .conflict(existing: existing)
        }
        let i = late.insertionIndex(of: s.t)
        late.insert(s, at: i)
        return .appended
    }

    private mutating func appendInOrder(_ s: Sample, options: HeadOptions) {
        // Cut at the sample target, and at block-range boundaries so that no chunk
        // ever straddles two blocks.
        if let count = open?.count,
            count >= options.samplesPerChunk || count >= XORAppender.maxSamples
                || s.t >= HeadOptions.rangeEnd(openMinT, range: options.blockRange)
        {
            closeOpenChunk()
        }
        if open == nil {
            open = XORAppender(capacity: options.openChunkCapacity)
            openMinT = s.t
        }
        // Optional chaining mutates the stored appender in place: no copy of the
        // chunk, no retain/release pair per sample.
        open?.append(t: s.t, v: s.v)
        maxT = s.t
        lastValueBits = s.v.bitPattern
    }

    mutating func closeOpenChunk() {
        guard let app = open, let last = app.lastTimestamp else { return }
        // Copy into an exactly sized array: the open chunk's spare capacity would
        // otherwise stay allocated for the chunk's whole life.
        let bytes = app.chunk.bytes
        let exact = [UInt8](unsafeUninitializedCapacity: bytes.count) { buf, n in
            _ = buf.initialize(from: bytes)
            n = bytes.count
        }
        if let chunk = try? XORChunk(bytes: exact) {
            closed.append(ClosedChunk(chunk: chunk, minT: openMinT, maxT: last))
        }
        open = nil
    }

    /// The stored value at exactly `t`, looking through chunks and late samples.
    private func find(_ t: Int64) -> Double? {
        let li = late.insertionIndex(of: t)
        if li < late.count && late[li].t == t { return late[li].v }
        for c in closed where c.minT <= t && t <= c.maxT {
            var it = c.chunk.iterator()
            if let s = try? it.seekValue(t) { return s }
        }
        if let app = open, openMinT <= t {
            var it = app.chunk.iterator()
            if let s = try? it.seekValue(t) { return s }
        }
        return nil
    }

    /// A consistent copy of what overlaps [mint, maxt], cheap to take under the lock
    /// (chunk bytes are shared copy-on-write); decoding happens after.
    func snapshot(mint: Int64, maxt: Int64) -> SeriesSnapshot {
        var chunks: [XORChunk] = []
        for c in closed where c.maxT >= mint && c.minT <= maxt { chunks.append(c.chunk) }
        if let app = open, openMinT <= maxt, maxT >= mint { chunks.append(app.chunk) }
        let lateInRange = late.filter { $0.t >= mint && $0.t <= maxt }
        return SeriesSnapshot(chunks: chunks, late: lateInRange)
    }

    /// Drops every sample before `mint`: chunks and late samples wholly before it,
    /// and the older part of the one chunk that may straddle it (chunks are cut at
    /// block-range boundaries, so only when `mint` is not one). Returns samples dropped.
    mutating func truncate(before mint: Int64) -> Int {
        var dropped = 0
        while let first = closed.first, first.maxT < mint {
            dropped += first.chunk.count
            closed.removeFirst()
        }
        if let app = open, maxT < mint {
            dropped += app.count
            open = nil
        }
        // Re-encode a straddling chunk with its samples at or after `mint`; its maxT is
        // at or after `mint`, so some remain.
        if let first = closed.first, first.minT < mint,
            let kept = try? first.chunk.samples().filter({ $0.t >= mint }), let minT = kept.first?.t
        {
            let app = SeriesData.encode(kept, capacity: first.chunk.bytes.count)
            if let chunk = try? XORChunk(bytes: app.chunk.bytes) {
                dropped += first.chunk.count - kept.count
                closed[0] = ClosedChunk(chunk: chunk, minT: minT, maxT: first.maxT)
            }
        } else if closed.isEmpty, let app = open, openMinT < mint,
            let kept = try? app.chunk.samples().filter({ $0.t >= mint }), let minT = kept.first?.t
        {
            dropped += app.count - kept.count
            open = SeriesData.encode(kept, capacity: app.byteCount)
            openMinT = minT
        }
        let keep = late.firstIndex { $0.t >= mint } ?? late.count
        dropped += keep
        late.removeFirst(keep)
        return dropped
    }

    private static func encode(_ samples: [Sample], capacity: Int) -> XORAppender {
        var app = XORAppender(capacity: capacity)
        for s in samples { app.append(t: s.t, v: s.v) }
        return app
    }

    var sampleCount: Int { closed.reduce(0) { $0 + $1.chunk.count } + (open?.count ?? 0) + late.count }
    var chunkBytes: Int { closed.reduce(0) { $0 + $1.chunk.bytes.count } + (open?.byteCount ?? 0) }
}

struct SeriesSnapshot: Sendable {
    var chunks: [XORChunk]
    var late: [Sample]

    /// The samples in [mint, maxt], in time order.
    func samples(mint: Int64, maxt: Int64) throws(ChunkError) -> [Sample] {
        var inOrder: [Sample] = []
        for c in chunks {
            var it = c.iterator()
            while let s = try it.next() {
                if s.t > maxt { break }
                if s.t >= mint { inOrder.append(s) }
            }
        }
        guard !late.isEmpty else { return inOrder }
        var out: [Sample] = []
        out.reserveCapacity(inOrder.count + late.count)
        var i = 0
        var j = 0
        while i < inOrder.count || j < late.count {
            if j == late.count || (i < inOrder.count && inOrder[i].t < late[j].t) {
                out.append(inOrder[i])
                i += 1
            } else {
                out.append(late[j])
                j += 1
            }
        }
        return out
    }
}

extension XORIterator {
    /// The value at exactly `t`, or nil.
    mutating func seekValue(_ t: Int64) throws(ChunkError) -> Double? {
        guard let s = try seek(t), s.t == t else { return nil }
        return s.v
    }
}

extension Array where Element == Sample {
    /// The first index whose timestamp is >= t (binary search; the array is sorted).
    func insertionIndex(of t: Int64) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid].t < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
