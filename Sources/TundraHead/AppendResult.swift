import TundraModel

/// Why a sample or a series was not stored.
public enum RejectReason: Sendable, Equatable, CustomStringConvertible {
    /// Older than the late window (or than data already cut into blocks) allows.
    case tooOld(minValid: Int64)
    /// A different value is already stored at this timestamp.
    case duplicateConflict(existing: Double, new: Double)
    case seriesLimit(metric: String, limit: Int)
    case labelValueLimit(label: String, limit: Int)
    case invalidLabels(LabelError)

    public var description: String {
        switch self {
        case .tooOld(let minValid): "sample too old: oldest accepted timestamp is \(minValid)"
        case .duplicateConflict(let e, let n): "duplicate sample for timestamp with different value: stored \(e), new \(n)"
        case .seriesLimit(let m, let l): "limit of \(l) series for metric \"\(m)\" reached: new series refused"
        case .labelValueLimit(let n, let l): "limit of \(l) values for label \"\(n)\" reached: new series refused"
        case .invalidLabels(let e): e.description
        }
    }

    /// A short stable name for metrics (`reason` label).
    public var kind: String {
        switch self {
        case .tooOld: "too_old"
        case .duplicateConflict: "duplicate_conflict"
        case .seriesLimit: "series_limit"
        case .labelValueLimit: "label_value_limit"
        case .invalidLabels: "invalid_labels"
        }
    }
}

/// One refused sample (or series, when `timestamp` is nil), with what the caller
/// needs to report it: the series, the timestamp and the reason.
public struct Rejection: Sendable, Equatable, CustomStringConvertible {
    public var labels: Labels
    public var timestamp: Int64?
    public var reason: RejectReason

    public var description: String {
        if let t = timestamp { return "\(labels) @\(t): \(reason)" }
        return "\(labels): \(reason)"
    }
}

/// What an append did. Good samples are stored even when others in the batch are not.
public struct AppendResult: Sendable, Equatable {
    public var appended = 0
    /// Samples identical to ones already stored (same timestamp, same value bits).
    public var duplicates = 0
    /// Refused samples, all of them counted here.
    public var rejectedSamples = 0
    /// The first ``maxReported`` rejections in detail.
    public var rejections: [Rejection] = []

    public static let maxReported = 100

    public init() {}

    mutating func reject(_ labels: Labels, _ t: Int64?, _ reason: RejectReason, samples: Int = 1) {
        rejectedSamples += samples
        if rejections.count < AppendResult.maxReported {
            rejections.append(Rejection(labels: labels, timestamp: t, reason: reason))
        }
    }
}
