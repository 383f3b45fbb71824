import Logging
import TundraBlock
import TundraHead
import TundraModel

/// Cuts the head into local blocks: the oldest block range once the head spans more
/// than one and a half ranges (by sample time, as Prometheus does), or everything on
/// a flush.
///
/// A cut raises the head's floor to the range's end first, so no sample can slip in
/// behind the copy; writes the block (atomically, see ``BlockWriter``); truncates
/// the head and checkpoints the WAL; then lowers the floor by the late window, so
/// late samples for the range just cut are taken again and go into the next block
/// (which then overlaps this one; the compactor merges them). A crash before the
/// truncation leaves the data in the WAL as well as in the block: it is cut again,
/// as a duplicate the compactor and the queries remove, never lost.
struct BlockCutter: Sendable {
    let head: Head
    /// Where local blocks are written (`<data>/blocks`).
    let directory: String
    let logger: Logger

    var range: Int64 { head.options.blockRange }

    /// The end of the range to cut now, if the head spans more than 1.5 ranges.
    func due() -> Int64? {
        guard let span = head.timeRange() else { return nil }
        let (width, overflow) = span.upperBound.subtractingReportingOverflow(span.lowerBound)
        guard overflow || width > range / 2 * 3 else { return nil }
        return SampleChunker.blockStart(span.lowerBound, range: range) + range
    }

    /// Cuts until nothing is due; returns the blocks written.
    func cutDue() throws -> [BlockMeta] {
        var out: [BlockMeta] = []
        while let end = due() {
            if let meta = try cut(before: end) { out.append(meta) }
        }
        return out
    }

    /// Cuts the whole head, one block per range.
    func cutAll() throws -> [BlockMeta] {
        var out: [BlockMeta] = []
        while let span = head.timeRange() {
            let end = SampleChunker.blockStart(span.lowerBound, range: range) + range
            if let meta = try cut(before: end) { out.append(meta) }
        }
        return out
    }

    /// Writes every sample before `end` into one block, then drops them from the head.
    /// Returns nil when there was nothing before `end`.
    ///
    /// When the head's newest sample is older than `end` (a flush of the open range),
    /// the block ends just after it instead: samples newer than it keep arriving in
    /// order while the cut runs, and go into the next block.
    func cut(before end: Int64) throws -> BlockMeta? {
        let previousFloor = head.floor
        guard let span = head.timeRange(), span.lowerBound < end else { return nil }
        let cutoff = span.upperBound < end ? span.upperBound + 1 : end
        head.raiseFloor(to: cutoff)
        // The writer removes repeats, comparing bytes (a Swift Set would merge
        // canonically equal strings the index must keep apart).
        var symbols: [String] = []
        for labels in head.allLabels() {
            for pair in labels {
                symbols.append(pair.name)
                symbols.append(pair.value)
            }
        }
        var options = BlockWriterOptions()
        options.source = .head
        let writer = try BlockWriter(parentDirectory: directory, minTime: span.lowerBound, maxTime: cutoff, symbols: symbols, options: options)
        let meta: BlockMeta
        do {
            // A sample appended between `timeRange()` and the floor's rise may be older
            // than `span.lowerBound`: read from the start of time.
            try head.forEachSeries(mint: .min, maxt: cutoff - 1, orderedBy: ByteOrder.precedes) { labels, samples in
                try writer.addSeries(labels, chunks: try SampleChunker.chunks(samples))
            }
            meta = try writer.finish()
        } catch {
            writer.abort()
            head.setFloor(previousFloor)
            throw error
        }
        let lateFloor = cutoff.subtractingReportingOverflow(head.options.lateWindow)
        let stats = try head.truncate(before: cutoff, floor: lateFloor.overflow ? previousFloor : max(previousFloor, lateFloor.partialValue))
        logger.info(
            "cut a block from the head",
            metadata: [
                "block": "\(meta.ulid)", "min_time": "\(meta.minTime)", "max_time": "\(meta.maxTime)",
                "series": "\(meta.stats.numSeries)", "samples": "\(meta.stats.numSamples)",
                "series_removed": "\(stats.seriesRemoved)",
            ])
        return meta
    }
}
