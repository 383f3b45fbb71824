import Synchronization
import TundraModel

extension Head {
    /// The oldest and newest sample times in the head, late samples included; nil when
    /// it holds none. Walks every series: for the block cutter's periodic check.
    public func timeRange() -> ClosedRange<Int64>? {
        var lo = Int64.max
        var hi = Int64.min
        series.forEach { s in
            s.data.withLock { d in
                if let t = d.minTime { lo = min(lo, t) }
                if d.maxT != .min { hi = max(hi, d.maxT) }
                if let t = d.late.last?.t { hi = max(hi, t) }
            }
        }
        return lo <= hi ? lo...hi : nil
    }

    /// Nothing older than this is accepted (Int64.min when no floor is set).
    public var floor: Int64 { minValidTime.load(ordering: .relaxed) }

    /// Sets the floor. The block cutter raises it to a range's end before it writes the
    /// range out, so no sample can slip in behind the copy, and lowers it again by the
    /// late window once the range is truncated.
    public func setFloor(_ t: Int64) {
        minValidTime.store(t, ordering: .relaxed)
    }

    /// Raises the floor to `t` if it is lower (never lowers it).
    public func raiseFloor(to t: Int64) {
        var current = minValidTime.load(ordering: .relaxed)
        while current < t {
            let (exchanged, original) = minValidTime.compareExchange(expected: current, desired: t, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The label sets of every series in the head, in no particular order.
    public func allLabels() -> [Labels] {
        var all: [Labels] = []
        series.forEach { all.append($0.labels) }
        return all
    }

    /// Calls `body` with each series that has samples in [mint, maxt] and those
    /// samples, in the order `precedes` gives, one series at a time: memory holds one
    /// series' samples, not the range's. Each series is read as one consistent view.
    public func forEachSeries(
        mint: Int64, maxt: Int64, orderedBy precedes: (Labels, Labels) -> Bool, _ body: (Labels, [Sample]) throws -> Void
    ) throws {
        var all: [MemSeries] = []
        series.forEach { all.append($0) }
        all.sort { precedes($0.labels, $1.labels) }
        for s in all {
            let snap = s.data.withLock { $0.snapshot(mint: mint, maxt: maxt) }
            let samples = try snap.samples(mint: mint, maxt: maxt)
            if !samples.isEmpty { try body(s.labels, samples) }
        }
    }
}
