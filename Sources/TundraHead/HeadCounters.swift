import Synchronization

/// Counters the head bumps on its hot path (atomics only); read with ``Head/stats``.
final class HeadCounters: Sendable {
    let series = Atomic<Int>(0)
    let seriesCreated = Atomic<Int>(0)
    let seriesRemoved = Atomic<Int>(0)
    let samplesAppended = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    let rejectedTooOld = Atomic<Int>(0)
    let rejectedConflict = Atomic<Int>(0)
    let rejectedSeriesLimit = Atomic<Int>(0)
    let rejectedLabelLimit = Atomic<Int>(0)
    let rejectedInvalid = Atomic<Int>(0)

    func count(_ reason: RejectReason, _ n: Int) {
        switch reason {
        case .tooOld: rejectedTooOld.wrappingAdd(n, ordering: .relaxed)
        case .duplicateConflict: rejectedConflict.wrappingAdd(n, ordering: .relaxed)
        case .seriesLimit: rejectedSeriesLimit.wrappingAdd(n, ordering: .relaxed)
        case .labelValueLimit: rejectedLabelLimit.wrappingAdd(n, ordering: .relaxed)
        case .invalidLabels: rejectedInvalid.wrappingAdd(n, ordering: .relaxed)
        }
    }
}

/// A point-in-time view of the head's counters and sizes.
public struct HeadStats: Sendable, Equatable {
    public var series: Int
    public var seriesCreated: Int
    public var seriesRemoved: Int
    public var samplesAppended: Int
    public var duplicates: Int
    /// Refused samples by reason (`too_old`, `duplicate_conflict`, ...).
    public var rejected: [String: Int]
    public var walBytesWritten: Int
    public var walSyncs: Int
    public var walSyncSeconds: Double
}

extension Head {
    public var stats: HeadStats {
        let c = counters
        let w = wal?.stats
        return HeadStats(
            series: c.series.load(ordering: .relaxed),
            seriesCreated: c.seriesCreated.load(ordering: .relaxed),
            seriesRemoved: c.seriesRemoved.load(ordering: .relaxed),
            samplesAppended: c.samplesAppended.load(ordering: .relaxed),
            duplicates: c.duplicates.load(ordering: .relaxed),
            rejected: [
                "too_old": c.rejectedTooOld.load(ordering: .relaxed),
                "duplicate_conflict": c.rejectedConflict.load(ordering: .relaxed),
                "series_limit": c.rejectedSeriesLimit.load(ordering: .relaxed),
                "label_value_limit": c.rejectedLabelLimit.load(ordering: .relaxed),
                "invalid_labels": c.rejectedInvalid.load(ordering: .relaxed),
            ],
            walBytesWritten: w?.bytesWritten ?? 0,
            walSyncs: w?.syncs ?? 0,
            walSyncSeconds: w?.syncSeconds ?? 0)
    }
}
