import TundraHead
import TundraModel

/// Feeds a stream of text-format lines into the head, batch by batch.
///
/// Bytes arrive in arbitrary pieces (`feed`); complete lines are parsed and
/// appended as one batch, a partial last line waits for the rest. Bad lines are
/// reported with their line number and skipped: they never cost the good lines.
public struct TextStreamIngester {
    public struct BatchResult: Sendable {
        /// Lines consumed so far in the whole stream (blank and comment lines too).
        public var linesTotal: Int
        public var append: AppendResult
        public var parseErrors: [TextParseError]
    }

    private let head: Head
    private let parser = TextLineParser()
    private var partial: [UInt8] = []
    private var lineNumber = 0
    /// The timestamp for lines without one.
    public var now: () -> Int64

    public init(head: Head, now: @escaping () -> Int64) {
        self.head = head
        self.now = now
    }

    /// Parses and appends every complete line in `bytes` (plus what was pending).
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(FileIOError) -> BatchResult {
        partial.append(contentsOf: bytes)
        guard let lastNewline = partial.lastIndex(of: 0x0a) else {
            return BatchResult(linesTotal: lineNumber, append: AppendResult(), parseErrors: [])
        }
        let complete = partial[..<lastNewline]
        var batch: [Labels: Int] = [:]
        var entries: [SeriesSamples] = []
        var errors: [TextParseError] = []
        let ts = now()
        for line in complete.split(separator: 0x0a, omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.last == 0x0d ? line.dropLast() : line
            do throws(TextParseError) {
                guard let s = try parser.parse(trimmed, lineNumber: lineNumber) else { continue }
                let sample = Sample(t: s.timestamp ?? ts, v: s.value)
                if let i = batch[s.labels] {
                    entries[i].samples.append(sample)
                } else {
                    batch[s.labels] = entries.count
                    entries.append(SeriesSamples(labels: s.labels, samples: [sample]))
                }
            } catch {
                errors.append(error)
            }
        }
        partial.removeSubrange(...lastNewline)
        // A series' samples within one batch go in time order, as a client would send them.
        for i in entries.indices where entries[i].samples.count > 1 {
            entries[i].samples.sort { $0.t < $1.t }
        }
        let result = try head.append(entries)
        return BatchResult(linesTotal: lineNumber, append: result, parseErrors: errors)
    }

    /// Parses a last line that had no newline.
    public mutating func finish() throws(FileIOError) -> BatchResult {
        if partial.isEmpty { return BatchResult(linesTotal: lineNumber, append: AppendResult(), parseErrors: []) }
        return try feed([0x0a])
    }
}
