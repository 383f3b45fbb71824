import Foundation
import TundraBlock
import TundraModel

/// One thing a pass does to the bucket. The planner gives them one at a time, from
/// the bucket as it is after the previous one.
public struct PlanStep: Sendable, CustomStringConvertible {
    public enum Action: Sendable, Equatable {
        /// Blocks whose time ranges overlap (late data, replicas), merged with repeats dropped.
        case mergeOverlapping
        /// Adjacent blocks filling an aligned window of a level.
        case mergeLevel(range: Int64)
        /// A rollup of the input at a coarser resolution.
        case downsample(to: Resolution)
        /// The input without the series whose retention ran out; the classes are the
        /// indexes of retention overrides, nil for series no override matches.
        case rewrite(dropping: [Int?])
        /// A deletion mark on the input.
        case markForDeletion(MarkReason)
    }

    public enum MarkReason: Sendable, Equatable, CustomStringConvertible {
        case retention(period: Int64?)
        case replaced(by: ULID)

        public var description: String {
            switch self {
            case .retention(let period): "retention \(period.map(DurationText.format) ?? "forever") passed"
            case .replaced(let by): "replaced by \(by)"
            }
        }
    }

    public var action: Action
    public var inputs: [BlockMeta]
    public var resolution: Resolution

    public init(_ action: Action, inputs: [BlockMeta], resolution: Resolution) {
        self.action = action
        self.inputs = inputs
        self.resolution = resolution
    }

    public var minTime: Int64 { inputs.map(\.minTime).min() ?? 0 }
    public var maxTime: Int64 { inputs.map(\.maxTime).max() ?? 0 }
    public var samples: UInt64 { inputs.reduce(0) { $0 + $1.stats.numSamples } }

    public var verb: String {
        switch action {
        case .mergeOverlapping: "merge overlapping"
        case .mergeLevel(let range): "merge into \(DurationText.format(range))"
        case .downsample(let to): "downsample to \(to)"
        case .rewrite: "rewrite for retention"
        case .markForDeletion: "mark for deletion"
        }
    }

    public var description: String {
        var text = "\(verb) (\(resolution)): \(inputs.map(\.ulid.description).joined(separator: " "))"
        text += " [\(TimeText.iso(minTime)), \(TimeText.iso(maxTime))), \(inputs.count) block(s), \(samples) samples"
        if case .markForDeletion(let reason) = action { text += ", \(reason)" }
        if case .rewrite(let classes) = action { text += ", dropping \(classes.count) retention class(es)" }
        return text
    }
}

/// Timestamps in plans and progress lines.
enum TimeText {
    static func iso(_ ms: Int64) -> String {
        Date(unixMilliseconds: ms).formatted(.iso8601)
    }
}
