/// One sample: a millisecond timestamp and a float64 value.
///
/// Equality compares the value's bit pattern, so NaN payloads (the stale marker
/// among them) compare as the storage sees them.
public struct Sample: Sendable, Hashable, CustomStringConvertible {
    public var t: Int64
    public var v: Double

    public init(t: Int64, v: Double) {
        self.t = t
        self.v = v
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.t == rhs.t && lhs.v.bitPattern == rhs.v.bitPattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(t)
        hasher.combine(v.bitPattern)
    }

    public var description: String { "\(v)@\(t)" }
}

/// Prometheus' staleness marker: a NaN with a distinct payload, written when a series
/// disappears. Stored as is; PromQL skips it.
public enum StaleNaN {
    public static let bits: UInt64 = 0x7ff0_0000_0000_0002
    public static let value = Double(bitPattern: bits)
    public static func isStale(_ v: Double) -> Bool { v.bitPattern == bits }
}

/// A reference to a series in the head, unique for the life of the head and its WAL.
public typealias SeriesRef = UInt64

/// A series and its samples in time order, as returned by reads.
public struct SeriesSamples: Sendable, Equatable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }
}
