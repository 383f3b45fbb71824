import TundraModel

/// A series the head already holds, found by a caller that has its labels in some
/// other form than ``Labels`` (see ``Head/series(hash:matching:)``).
public struct SeriesHandle: Sendable {
    let series: MemSeries

    public var labels: Labels { series.labels }
}

/// Samples for series the caller has already found in the head, in one flat array:
/// no label sets to build, check, hash or look up again, and no array per series.
public struct KnownSeriesBatch: Sendable {
    var handles: [SeriesHandle] = []
    /// `samples[ends[i - 1]..<ends[i]]` belong to `handles[i]`.
    var ends: [Int] = []
    public private(set) var samples: [Sample] = []

    public init() {}

    public var isEmpty: Bool { handles.isEmpty }
    public var seriesCount: Int { handles.count }
    public var sampleCount: Int { samples.count }

    public mutating func reserve(series: Int, samples n: Int) {
        handles.reserveCapacity(series)
        ends.reserveCapacity(series)
        samples.reserveCapacity(n)
    }

    /// Adds samples of `series`. Call ``appendSample(_:)`` for each sample first,
    /// then close them with this.
    public mutating func close(_ series: SeriesHandle) {
        handles.append(series)
        ends.append(samples.count)
    }

    public mutating func appendSample(_ sample: Sample) { samples.append(sample) }

    /// Samples appended since the last ``close(_:)``: the ones a caller drops when the
    /// series turns out not to be known after all.
    public var pendingStart: Int { ends.last ?? 0 }

    public mutating func dropPending() { samples.removeSubrange(pendingStart...) }

    /// The samples of the `i`-th series.
    func samples(of i: Int) -> ArraySlice<Sample> { samples[(i == 0 ? 0 : ends[i - 1])..<ends[i]] }
}

extension Head {
    /// The series with this label hash (``Labels/stableHash``) whose labels pass
    /// `matches`, if the head holds it.
    public func series(hash: UInt64, matching matches: (Labels) -> Bool) -> SeriesHandle? {
        series.get(hash: hash, matching: matches).map(SeriesHandle.init)
    }
}
