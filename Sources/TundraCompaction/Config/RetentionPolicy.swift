import TundraModel

/// How long each resolution is kept, with overrides for series matched by label
/// matchers: the first override whose matchers all match a series decides for it.
public struct RetentionPolicy: Sendable {
    /// Milliseconds per resolution; nil keeps forever.
    public var periods: [Resolution: Int64?] = [
        .raw: 7 * CompactorConfig.day, .oneMinute: 30 * CompactorConfig.day, .oneHour: 365 * CompactorConfig.day,
    ]
    /// Raw data is deleted only once its 1m rollup is in the bucket, 1m only once its
    /// 1h rollup is. Turning this off lets retention delete data no coarser block holds.
    public var requireRollup = true
    public var overrides: [Override] = []

    public init() {}

    public struct Override: Sendable {
        /// The selector as written, for messages and the plan.
        public var selector: String
        public var matchers: [Matcher]
        /// Per resolution; a resolution not given follows the policy's period.
        public var periods: [Resolution: Int64?]

        public init(selector: String, matchers: [Matcher], periods: [Resolution: Int64?]) {
            self.selector = selector
            self.matchers = matchers
            self.periods = periods
        }

        public func matches(_ labels: Labels) -> Bool {
            matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") }
        }
    }

    /// The period of the default class at `resolution`; nil is forever.
    public func period(_ resolution: Resolution) -> Int64? {
        periods[resolution] ?? nil
    }

    /// The period of override `index` at `resolution`.
    public func period(_ resolution: Resolution, override index: Int) -> Int64? {
        if let own = overrides[index].periods[resolution] { return own }
        return period(resolution)
    }

    /// Which class a series belongs to: the index of the first override matching it,
    /// or nil for the default.
    public func retentionClass(of labels: Labels) -> Int? {
        overrides.firstIndex { $0.matches(labels) }
    }

    /// The period for a series at `resolution`.
    public func period(for labels: Labels, at resolution: Resolution) -> Int64? {
        guard let i = retentionClass(of: labels) else { return period(resolution) }
        return period(resolution, override: i)
    }
}
