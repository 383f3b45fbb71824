import Foundation
import Logging
import TundraCompaction
import TundraBlock
import TundraIngest
import TundraModel
import TundraObjectStore

/// Writes historical samples straight into blocks in the bucket, one block per block
/// range: how users migrate history, and how tests and benchmarks make months of data
/// in seconds.
///
/// The whole input is read and checked before anything is written, so a malformed
/// line stops the import with its line number and leaves nothing behind. Each block is
/// built locally (atomically) and uploaded with `meta.json` last; an upload that fails
/// is removed from the bucket again. The samples are held in memory until written
/// (16 bytes each plus the label sets), which bounds what one run can import.
public struct Backfill {
    public enum Format: String, CaseIterable, Sendable {
        /// OpenMetrics text (`# EOF` at the end).
        case openmetrics
        /// The Prometheus text exposition format, with timestamps.
        case text
    }

    public let store: any ObjectStore
    /// Where blocks are built before upload; emptied as they go.
    public let workDirectory: String
    public let blockRange: Int64
    public let logger: Logger
    /// Called with a line of progress for the user.
    public let progress: @Sendable (String) -> Void

    public init(
        store: any ObjectStore, workDirectory: String, blockRange: Int64, logger: Logger, progress: @escaping @Sendable (String) -> Void
    ) {
        self.store = store
        self.workDirectory = workDirectory
        self.blockRange = blockRange
        self.logger = logger
        self.progress = progress
    }

    /// Imports `path`; returns the blocks now in the bucket.
    public func importFile(_ path: String, format: Format) async throws -> [BlockMeta] {
        let series = try read(path, format: format)
        return try await write(series)
    }

    /// Series and their samples in time order, checked.
    func read(_ path: String, format: Format) throws -> [Labels: [Sample]] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ServerError("cannot open \(path)") }
        defer { try? handle.close() }
        var parser = TextLineParser()
        parser.openMetrics = format == .openmetrics
        var series: [Labels: [Sample]] = [:]
        var lineNumber = 0
        var pending: [UInt8] = []
        var samples = 0
        var sawEOF = false
        let started = ContinuousClock.now
        func take(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            if sawEOF {
                if line.isEmpty { return }
                throw ServerError("\(path):\(lineNumber): text after # EOF")
            }
            if format == .openmetrics, line.elementsEqual("# EOF".utf8) {
                sawEOF = true
                return
            }
            let parsed: TextSample?
            do {
                parsed = try parser.parse(line, lineNumber: lineNumber)
            } catch {
                throw ServerError("\(path):\(error.line): \(error.message) (column \(error.column))")
            }
            guard let sample = parsed else { return }
            guard let t = sample.timestamp else {
                throw ServerError("\(path):\(lineNumber): the sample has no timestamp; a backfill needs one on every sample")
            }
            series[sample.labels, default: []].append(Sample(t: t, v: sample.value))
            samples += 1
            if samples % 1_000_000 == 0 {
                progress("read \(lineNumber) lines: \(samples) samples of \(series.count) series (\(ContinuousClock.now - started))")
            }
        }
        while true {
            let chunk = handle.readData(ofLength: 4 << 20)
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let nl = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try take(pending[start..<nl])
                start = nl + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { try take(pending[...]) }
        if format == .openmetrics && !sawEOF {
            throw ServerError("\(path): no # EOF line: an OpenMetrics file ends with one (a truncated file?)")
        }
        for (labels, list) in series {
            var sorted = list.sorted { $0.t < $1.t }
            var out: [Sample] = []
            out.reserveCapacity(sorted.count)
            for s in sorted {
                if let last = out.last, last.t == s.t {
                    guard last.v.bitPattern == s.v.bitPattern else {
                        throw ServerError("\(path): \(labels) has two different values at timestamp \(s.t): \(last.v) and \(s.v)")
                    }
                    continue
                }
                out.append(s)
            }
            sorted = out
            series[labels] = sorted
        }
        progress("read \(lineNumber) lines: \(samples) samples of \(series.count) series")
        return series
    }

    /// One block per range, built and uploaded in time order.
    func write(_ series: [Labels: [Sample]]) async throws -> [BlockMeta] {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        _ = try BlockDirectory.removeTemporaryDirectories(in: workDirectory)
        var ranges = Set<Int64>()
        for samples in series.values {
            for s in samples { ranges.insert(SampleChunker.blockStart(s.t, range: blockRange)) }
        }
        let order = series.keys.sorted(by: ByteOrder.precedes)
        var done: [BlockMeta] = []
        for (i, start) in ranges.sorted().enumerated() {
            let end = start + blockRange
            var symbols: [String] = []
            var content: [(labels: Labels, chunks: [SeriesChunk])] = []
            for labels in order {
                guard let all = series[labels] else { continue }
                let lo = all.firstIndex { $0.t >= start } ?? all.count
                let hi = all[lo...].firstIndex { $0.t >= end } ?? all.count
                guard lo < hi else { continue }
                content.append((labels, try SampleChunker.chunks(all[lo..<hi])))
                for pair in labels {
                    symbols.append(pair.name)
                    symbols.append(pair.value)
                }
            }
            var options = BlockWriterOptions()
            options.source = .import
            let writer = try BlockWriter(parentDirectory: workDirectory, minTime: start, maxTime: end, symbols: symbols, options: options)
            let meta: BlockMeta
            do {
                for s in content { try writer.addSeries(s.labels, chunks: s.chunks) }
                meta = try writer.finish()
            } catch {
                writer.abort()
                throw error
            }
            let local = workDirectory + "/" + meta.ulid.description
            let started = ContinuousClock.now
            let requestsBefore = (store as? S3Store)?.requestCount
            let bytes: Int64
            do {
                bytes = try await BlockUpload.upload(store, localDirectory: local, ulid: meta.ulid)
            } catch {
                try? await BlockUpload.removePartial(store, ulid: meta.ulid)
                try? FileManager.default.removeItem(atPath: local)
                throw error
            }
            try FileManager.default.removeItem(atPath: local)
            done.append(meta)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            var line = "block \(i + 1)/\(ranges.count) \(meta.ulid) [\(start), \(end)): \(meta.stats.numSeries) series, "
            line += "\(meta.stats.numSamples) samples, \(bytes) bytes uploaded in \(String(format: "%.3f", seconds)) s"
            line += " (\(String(format: "%.1f", Double(bytes) / 1_048_576 / max(seconds, 1e-9))) MiB/s"
            if let before = requestsBefore, let after = (store as? S3Store)?.requestCount { line += ", \(after - before) requests" }
            progress(line + ")")
        }
        return done
    }
}
