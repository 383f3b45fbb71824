import Foundation
import Logging
import Synchronization
import Testing
import TundraModel
import TundraTestSupport

@testable import TundraHead

let testLogger = Logger(label: "test")

/// `name{pairs}` as a label set.
func series(_ name: String, _ pairs: [String: String] = [:]) -> Labels {
    var d = pairs
    d[LabelName.metric] = name
    return Labels(d)
}

func entry(_ labels: Labels, _ samples: [(Int64, Double)]) -> SeriesSamples {
    SeriesSamples(labels: labels, samples: samples.map { Sample(t: $0.0, v: $0.1) })
}

/// Head options for tests: few lock stripes (heads are created by the hundred).
func testOptions(_ configure: (inout HeadOptions) -> Void = { _ in }) -> HeadOptions {
    var o = HeadOptions()
    o.stripes = 8
    configure(&o)
    return o
}

/// Everything a head holds, by series.
func dump(_ head: Head) throws -> [Labels: [Sample]] {
    var out: [Labels: [Sample]] = [:]
    for s in try head.select([], mint: .min, maxt: .max) {
        #expect(out[s.labels] == nil, "series \(s.labels) returned twice")
        out[s.labels] = s.samples
    }
    return out
}

func sampleCount(_ d: [Labels: [Sample]]) -> Int { d.values.reduce(0) { $0 + $1.count } }

/// The in-memory series object for `labels` (nil when absent).
func memSeries(_ head: Head, _ labels: Labels) -> MemSeries? {
    head.series.get(labels, hash: labels.stableHash)
}

// MARK: - Logging capture

/// Collects log events so tests can check that the head warned about what it did.
final class LogCapture: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let entries = Mutex<[Entry]>([])

    var all: [Entry] { entries.withLock { $0 } }

    func record(_ e: Entry) { entries.withLock { $0.append(e) } }

    func clear() { entries.withLock { $0.removeAll() } }

    func count(atLeast level: Logger.Level) -> Int { all.filter { $0.level >= level }.count }

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }
}

struct CapturingHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.record(.init(level: event.level, message: event.message.description, metadata: event.metadata ?? [:]))
    }
}

// MARK: - WAL files

enum WALFiles {
    /// Segment file names (8 digits) in `dir`, sorted by index.
    static func segments(_ dir: String) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }
            .compactMap { Int($0) }
            .sorted()
    }

    static func path(_ dir: String, _ index: Int) -> String { dir + "/" + WALSegment.name(index) }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The records of one segment with the byte range of each frame, parsed from
    /// the frame lengths (independently of `WALSegment.read`'s stopping rules).
    static func frames(_ bytes: [UInt8]) -> [(range: Range<Int>, record: WALRecord)] {
        var records: [WALRecord] = []
        _ = WALSegment.read(bytes) { records.append($0) }
        var out: [(Range<Int>, WALRecord)] = []
        var off = WALSegment.headerSize
        for r in records {
            var length = 0
            for k in 1...4 { length = length << 8 | Int(bytes[off + k]) }
            let end = off + WALSegment.frameSize + length
            out.append((off..<end, r))
            off = end
        }
        return out
    }

    /// Folds WAL records into what a head should hold after replaying them.
    static func fold(_ records: [WALRecord]) -> [Labels: [Sample]] {
        var labelsByRef: [SeriesRef: Labels] = [:]
        var samples: [SeriesRef: Set<Sample>] = [:]
        for r in records {
            switch r {
            case .series(let list): for (ref, l) in list { labelsByRef[ref] = l }
            case .samples(let list):
                for s in list where labelsByRef[s.ref] != nil { samples[s.ref, default: []].insert(Sample(t: s.t, v: s.v)) }
            }
        }
        var out: [Labels: [Sample]] = [:]
        for (ref, set) in samples where !set.isEmpty {
            guard let l = labelsByRef[ref] else { continue }
            out[l] = set.sorted { $0.t < $1.t }
        }
        return out
    }
}

// MARK: - Sharing state with tasks

/// A mutex in a class, so escaping task closures can capture it.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ v: Value) { value = Mutex(v) }
}

final class SharedCounter: Sendable {
    let value = Atomic<Int>(0)
}
