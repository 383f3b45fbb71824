import TundraEncoding
import TundraModel

/// A counter with resets added back, as Prometheus' `increase` sees it: a value below
/// the previous one is a reset, and the new value is the increase since it.
struct CounterTrack {
    private(set) var total: Double = 0
    private(set) var lastRaw: Double?

    /// Takes the next raw value and returns the reset-adjusted total. The first value
    /// is the starting total, so a chunk's adjusted points start at its raw first value.
    mutating func add(_ v: Double) -> Double {
        if let last = lastRaw {
            total += v >= last ? v - last : v
        } else {
            total = v
        }
        lastRaw = v
        return total
    }

    /// Records the true raw value at the end of a chunk without moving the total: the
    /// next chunk's first raw value is compared with it to tell a reset from a rise.
    mutating func setLastRaw(_ v: Double) { lastRaw = v }
}

extension CounterTrack {
    /// The counter sub-chunk of one rollup chunk, from the adjusted totals at each
    /// sample time (`adjusted[0].v` being the raw first value) and the raw last value:
    /// the first point, the last point of each window, then the raw last value again at
    /// the final timestamp. Nil when there is no point.
    static func subChunk(adjusted: [Sample], rawLast: Double, resolution: Int64) -> XORChunk? {
        guard let first = adjusted.first else { return nil }
        var app = XORAppender()
        app.append(t: first.t, v: first.v)
        var lastT = first.t
        for (i, p) in adjusted.enumerated() {
            let isLastOfWindow = i + 1 == adjusted.count
                || RollupWindows.start(adjusted[i + 1].t, resolution: resolution) != RollupWindows.start(p.t, resolution: resolution)
            guard isLastOfWindow, p.t != first.t else { continue }
            app.append(t: p.t, v: p.v)
            lastT = p.t
        }
        app.append(t: lastT, v: rawLast)
        return app.chunk
    }
}
