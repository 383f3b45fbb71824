import Synchronization
import TundraModel

/// Series by label hash and by ref, split over lock stripes so that appenders of
/// different series rarely wait on each other (as Prometheus' `stripeSeries`).
final class SeriesMap: Sendable {
    private final class Stripe: Sendable {
        let byHash = Mutex<[UInt64: MemSeries]>([:])
        /// Series whose hash another series already has: rare, but never merged.
        let collisions = Mutex<[UInt64: [MemSeries]]>([:])
        let byRef = Mutex<[SeriesRef: MemSeries]>([:])
    }

    private let stripes: [Stripe]
    private let mask: UInt64

    init(stripes: Int) {
        let n = max(1, stripes).nextPowerOfTwo
        self.stripes = (0..<n).map { _ in Stripe() }
        self.mask = UInt64(n - 1)
    }

    func get(_ labels: Labels, hash: UInt64) -> MemSeries? {
        let stripe = stripes[Int(hash & mask)]
        if let s = stripe.byHash.withLock({ $0[hash] }) {
            if s.labels == labels { return s }
            return stripe.collisions.withLock { $0[hash]?.first { $0.labels == labels } }
        }
        return nil
    }

    /// The series with `hash` whose labels pass `matches`: for callers that hold the
    /// labels in another form (the remote-write reader holds request bytes).
    func get(hash: UInt64, matching matches: (Labels) -> Bool) -> MemSeries? {
        let stripe = stripes[Int(hash & mask)]
        if let s = stripe.byHash.withLock({ $0[hash] }) {
            if matches(s.labels) { return s }
            let list = stripe.collisions.withLock { $0[hash] } ?? []
            return list.first { matches($0.labels) }
        }
        return nil
    }

    func get(ref: SeriesRef) -> MemSeries? {
        stripes[Int(ref & mask)].byRef.withLock { $0[ref] }
    }

    /// Adds a series the caller has checked is absent (under the head's creation lock).
    func add(_ series: MemSeries) {
        let stripe = stripes[Int(series.hash & mask)]
        let placed = stripe.byHash.withLock { map -> Bool in
            if map[series.hash] == nil {
                map[series.hash] = series
                return true
            }
            return false
        }
        if !placed { stripe.collisions.withLock { $0[series.hash, default: []].append(series) } }
        stripes[Int(series.ref & mask)].byRef.withLock { $0[series.ref] = series }
    }

    func remove(_ series: MemSeries) {
        let stripe = stripes[Int(series.hash & mask)]
        stripe.byHash.withLock { map in
            if map[series.hash] === series { map[series.hash] = nil }
        }
        stripe.collisions.withLock { map in
            map[series.hash]?.removeAll { $0 === series }
            if map[series.hash]?.isEmpty == true { map[series.hash] = nil }
        }
        // Promote a colliding series so lookups by hash still find it.
        let promoted = stripe.collisions.withLock { map -> MemSeries? in
            guard var list = map[series.hash], !list.isEmpty else { return nil }
            let first = list.removeFirst()
            map[series.hash] = list.isEmpty ? nil : list
            return first
        }
        if let promoted {
            stripe.byHash.withLock { map in
                if map[series.hash] == nil { map[series.hash] = promoted } else {
                    stripe.collisions.withLock { $0[series.hash, default: []].append(promoted) }
                }
            }
        }
        stripes[Int(series.ref & mask)].byRef.withLock { _ = $0.removeValue(forKey: series.ref) }
    }

    /// Every series, stripe by stripe (not one atomic snapshot).
    func forEach(_ body: (MemSeries) -> Void) {
        for stripe in stripes {
            let list = stripe.byRef.withLock { Array($0.values) }
            list.forEach(body)
        }
    }
}

extension Int {
    var nextPowerOfTwo: Int {
        var n = 1
        while n < self { n <<= 1 }
        return n
    }
}
