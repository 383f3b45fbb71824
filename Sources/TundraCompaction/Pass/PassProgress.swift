import Foundation

/// Progress lines of a pass: one when a step starts and ends, and while a long merge
/// runs, every few seconds, how far it got. Each line carries the time since the pass
/// started, so a slow step shows in the log itself.
public struct PassProgress: Sendable {
    let sink: @Sendable (String) -> Void
    let started: ContinuousClock.Instant

    public init(sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
        started = .now
    }

    /// Lines to standard error, as the compactor's command writes them.
    public static let standardError = PassProgress { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// No output, for tests and library callers that only want the report.
    public static let silent = PassProgress { _ in }

    public func line(_ text: String) {
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        sink(String(format: "[%8.1fs] ", seconds) + text)
    }
}
