import TundraHead
import TundraModel

/// Which remote-write message a body holds, from the request's Content-Type.
public enum RemoteWriteVersion: Sendable, Equatable {
    /// `prometheus.WriteRequest` (Remote-Write 1.0).
    case v1
    /// `io.prometheus.write.v2.Request` (Remote-Write 2.0).
    case v2
}

/// The metadata of one metric family, as remote-write carries it.
public struct MetricMetadata: Sendable, Equatable, Hashable {
    public var type: String
    public var help: String
    public var unit: String

    public init(type: String, help: String, unit: String) {
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// A decoded request: the series to append, and what could not be taken.
public struct DecodedWrite: Sendable {
    /// Samples of series the head already holds, found without building their labels.
    public var known = KnownSeriesBatch()
    /// Samples of series given by their labels (new ones, or when no head was given).
    public var series: [SeriesSamples] = []
    /// Series refused before they reach the head (invalid labels), with the reason.
    public var invalid: [(labels: String, reason: String, samples: Int)] = []
    /// Native histogram samples: counted, not stored (the head holds floats).
    public var histograms = 0
    public var exemplars = 0
    /// Metadata by metric family name.
    public var metadata: [String: MetricMetadata] = [:]

    public var sampleCount: Int { known.sampleCount + series.reduce(0) { $0 + $1.samples.count } }
}

/// Why a body could not be decoded at all.
public struct RemoteWriteDecodeError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
