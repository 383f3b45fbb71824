import TundraIngest

/// Fuzz entry for the text exposition parser: any input must parse or fail with a
/// ``TextParseError``; it must never crash or hang.
public enum TextFuzz {
    /// Returns how many samples parsed, so the work cannot be optimised away.
    public static func run(_ data: [UInt8]) -> Int {
        let parser = TextLineParser()
        var parsed = 0
        var lineNumber = 0
        for line in data.split(separator: 0x0a, omittingEmptySubsequences: false) {
            lineNumber += 1
            if let s = try? parser.parse(line, lineNumber: lineNumber) {
                precondition(!s.labels.isEmpty, "a parsed sample has at least its metric name")
                parsed += 1
            }
        }
        return parsed
    }
}
