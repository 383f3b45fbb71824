import TundraEncoding

extension Aggregate {
    /// How two values of a window aggregate combine, whether they are two samples of
    /// one window or two finer windows inside one coarser window. The counter does not
    /// keeps its last value, but at that sample's own time (see ``CounterTrack``).
    func combine(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .count, .sum, .resets: a + b
        case .counter: b
        // Prometheus' min_over_time/max_over_time: a NaN loses to any number, so the
        // result is NaN only when every value is; stated per pair, this folds the same
        // over raw samples as over finer windows.
        case .min: (b < a || a.isNaN) ? b : a
        case .max: (b > a || a.isNaN) ? b : a
        }
    }
}
