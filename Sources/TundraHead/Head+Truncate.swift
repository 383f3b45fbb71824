import Synchronization
import TundraModel

extension Head {
    public struct TruncateStats: Sendable, Equatable {
        public var samplesDropped = 0
        public var seriesRemoved = 0
        public var checkpoint: Checkpoint.Stats?
    }

    /// Drops everything before `mint` from memory and the WAL: for the block cutter,
    /// once the data before `mint` is safely in a block. From then on, samples older
    /// than `mint` are refused as too old.
    ///
    /// Series left without samples are removed from the index. The WAL is
    /// checkpointed: its segments so far are folded into a checkpoint holding the
    /// live series and samples at or after `mint`, and then deleted.
    ///
    /// With a `floor`, the floor is set to it afterwards (it may be lower than
    /// `mint`: the block cutter lets late samples in again behind a cut range).
    public func truncate(before mint: Int64, floor: Int64? = nil) throws(FileIOError) -> TruncateStats {
        defer { if let floor { setFloor(floor) } }
        var stats = TruncateStats()
        // Raise the floor first, so no appender adds below it while we drop.
        var current = minValidTime.load(ordering: .relaxed)
        while current < mint {
            let (exchanged, original) = minValidTime.compareExchange(expected: current, desired: mint, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        var emptied: [MemSeries] = []
        series.forEach { s in
            s.data.withLock { d in
                stats.samplesDropped += d.truncate(before: mint)
                if d.isEmpty { emptied.append(s) }
            }
        }
        if !emptied.isEmpty {
            index.withLock { idx in
                var removed: [(SeriesRef, Labels)] = []
                for s in emptied {
                    // Re-check under the series lock: an appender may have added since.
                    let gone = s.data.withLock { d -> Bool in
                        guard d.isEmpty else { return false }
                        d.removed = true
                        return true
                    }
                    if gone {
                        series.remove(s)
                        removed.append((s.ref, s.labels))
                    }
                }
                idx.postings.remove(removed)
                stats.seriesRemoved = removed.count
            }
            counters.series.wrappingAdd(-stats.seriesRemoved, ordering: .relaxed)
            counters.seriesRemoved.wrappingAdd(stats.seriesRemoved, ordering: .relaxed)
        }
        if let wal, let dir = walDirectory {
            let through = try wal.cutSegment()
            // Creation logs a series before adding it to the map, both under the index
            // lock: wait out any creation in progress, so that every series whose
            // record is in the segments folded below can be found by `keep`.
            index.withLock { _ in }
            stats.checkpoint = try Checkpoint.create(directory: dir, through: through, minTime: mint) { ref in
                series.get(ref: ref) != nil
            }
        }
        return stats
    }
}
