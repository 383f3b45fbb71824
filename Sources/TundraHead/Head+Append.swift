import Synchronization
import TundraModel

extension Head {
    /// Appends samples to their series, creating series as needed.
    ///
    /// Each sample is checked (late window, duplicates) and stored or refused on its
    /// own: a bad sample or series never costs the good ones in the same batch. Returns
    /// once the stored samples are in the WAL (see ``WALSyncPolicy`` for when they
    /// reach the disk). Throws only when the WAL cannot be written; the samples are
    /// then in memory and queued for the WAL, and a retry of the batch is safe.
    public func append(_ batch: [SeriesSamples]) throws(FileIOError) -> AppendResult {
        try append(batch, known: KnownSeriesBatch())
    }

    /// Appends samples of series the caller already found (`known`, appended first)
    /// and of series given by their labels (`batch`), as ``append(_:)`` does.
    public func append(_ batch: [SeriesSamples], known: KnownSeriesBatch) throws(FileIOError) -> AppendResult {
        var result = AppendResult()
        let headMin = minValidTime.load(ordering: .relaxed)
        let window = options.lateWindow
        var logged: [RefSample] = []
        logged.reserveCapacity(known.sampleCount + batch.reduce(0) { $0 + $1.samples.count })
        // Known series that truncation removed since the caller found them go the
        // way of new ones.
        var orphans: [SeriesSamples] = []
        for i in 0..<known.handles.count {
            let s = known.handles[i].series
            let samples = known.samples(of: i)
            if appendSamples(s.labels, samples, to: s, headMin: headMin, window: window, logged: &logged, result: &result) {
                orphans.append(SeriesSamples(labels: s.labels, samples: Array(samples)))
            }
        }
        try appendByLabels(orphans.isEmpty ? batch : batch + orphans, headMin: headMin, window: window, logged: &logged, result: &result)
        if !logged.isEmpty {
            try wal?.log([.samples(logged)])
        }
        counters.samplesAppended.wrappingAdd(result.appended, ordering: .relaxed)
        counters.duplicates.wrappingAdd(result.duplicates, ordering: .relaxed)
        return result
    }

    private func appendByLabels(
        _ batch: [SeriesSamples], headMin: Int64, window: Int64, logged: inout [RefSample], result: inout AppendResult
    ) throws(FileIOError) {
        guard !batch.isEmpty else { return }
        var resolved = [MemSeries?](repeating: nil, count: batch.count)
        var missing: [Int] = []
        var hashes = [UInt64](repeating: 0, count: batch.count)
        for (i, entry) in batch.enumerated() where !entry.samples.isEmpty {
            let h = entry.labels.stableHash
            hashes[i] = h
            if let s = series.get(entry.labels, hash: h) {
                resolved[i] = s
            } else {
                missing.append(i)
            }
        }
        if !missing.isEmpty {
            try create(batch, missing, hashes, &resolved, &result)
        }
        var retry: [Int] = []
        for (i, entry) in batch.enumerated() {
            guard let s = resolved[i] else { continue }
            let removed = appendSamples(entry.labels, entry.samples, to: s, headMin: headMin, window: window, logged: &logged, result: &result)
            if removed { retry.append(i) }
        }
        // A series truncated away between lookup and append: create it anew.
        if !retry.isEmpty {
            for i in retry { resolved[i] = nil }
            try create(batch, retry, hashes, &resolved, &result)
            for i in retry {
                guard let s = resolved[i] else { continue }
                _ = appendSamples(batch[i].labels, batch[i].samples, to: s, headMin: headMin, window: window, logged: &logged, result: &result)
            }
        }
    }

    /// Returns true when the series was removed by truncation and nothing was done.
    private func appendSamples<C: Collection<Sample>>(
        _ labels: Labels, _ samples: C, to s: MemSeries, headMin: Int64, window: Int64,
        logged: inout [RefSample], result: inout AppendResult
    ) -> Bool {
        let opts = options
        return s.data.withLock { data -> Bool in
            if data.removed { return true }
            for sample in samples {
                switch data.append(sample, headMinValid: headMin, lateWindow: window, options: opts) {
                case .appended:
                    result.appended += 1
                    logged.append(RefSample(ref: s.ref, t: sample.t, v: sample.v))
                case .duplicate:
                    result.duplicates += 1
                case .tooOld(let minValid):
                    counters.count(.tooOld(minValid: minValid), 1)
                    result.reject(labels, sample.t, .tooOld(minValid: minValid))
                case .conflict(let existing):
                    let reason = RejectReason.duplicateConflict(existing: existing, new: sample.v)
                    counters.count(reason, 1)
                    result.reject(labels, sample.t, reason)
                }
            }
            return false
        }
    }

    /// Creates the series at `indices` (or finds them, if another appender just did),
    /// enforcing the cardinality limits, and logs the new ones to the WAL before
    /// anyone can append to them, so replay never meets a sample of an unknown series.
    private func create(
        _ batch: [SeriesSamples], _ indices: [Int], _ hashes: [UInt64],
        _ resolved: inout [MemSeries?], _ result: inout AppendResult
    ) throws(FileIOError) {
        let limits = options.limits
        try index.withLock { (idx: inout IndexState) throws(FileIOError) -> Void in
            var created: [MemSeries] = []
            // Within one batch, new values and series count against the limits too.
            var newSeriesPerMetric: [String: Int] = [:]
            var newValues: [String: Set<String>] = [:]
            for i in indices {
                let entry = batch[i]
                if let s = series.get(entry.labels, hash: hashes[i]) {
                    resolved[i] = s
                    continue
                }
                if let existing = created.first(where: { $0.hash == hashes[i] && $0.labels == entry.labels }) {
                    resolved[i] = existing
                    continue
                }
                // Every sample older than the floor: refuse them without creating a
                // series that would hold nothing (and count against the limits).
                let floor = minValidTime.load(ordering: .relaxed)
                if !entry.samples.contains(where: { $0.t >= floor }) {
                    counters.count(.tooOld(minValid: floor), entry.samples.count)
                    for sample in entry.samples { result.reject(entry.labels, sample.t, .tooOld(minValid: floor)) }
                    continue
                }
                do throws(LabelError) {
                    try LabelValidation.checkSeries(entry.labels)
                } catch {
                    counters.count(.invalidLabels(error), entry.samples.count)
                    result.reject(entry.labels, nil, .invalidLabels(error), samples: entry.samples.count)
                    continue
                }
                if let reason = limitViolation(entry.labels, limits, idx, newSeriesPerMetric, newValues) {
                    counters.count(reason, entry.samples.count)
                    result.reject(entry.labels, nil, reason, samples: entry.samples.count)
                    continue
                }
                let labels = idx.intern(entry.labels)
                let s = MemSeries(ref: idx.nextRef, labels: labels, hash: hashes[i])
                idx.nextRef += 1
                created.append(s)
                resolved[i] = s
                if let m = labels.metricName { newSeriesPerMetric[m, default: 0] += 1 }
                for pair in labels where !idx.postings.has(pair.name, pair.value) {
                    newValues[pair.name, default: []].insert(pair.value)
                }
            }
            guard !created.isEmpty else { return }
            // Log first: a series is visible to other appenders only once its record
            // is in the WAL (or queued there, in order, if the write failed).
            let logError: FileIOError?
            do throws(FileIOError) {
                try wal?.log([.series(created.map { ($0.ref, $0.labels) })])
                logError = nil
            } catch {
                logError = error
            }
            for s in created {
                idx.postings.add(s.ref, s.labels)
                series.add(s)
            }
            counters.series.wrappingAdd(created.count, ordering: .relaxed)
            counters.seriesCreated.wrappingAdd(created.count, ordering: .relaxed)
            if let logError { throw logError }
        }
    }

    private func limitViolation(
        _ labels: Labels, _ limits: CardinalityLimits, _ idx: IndexState,
        _ newSeriesPerMetric: [String: Int], _ newValues: [String: Set<String>]
    ) -> RejectReason? {
        if let max = limits.maxSeriesPerMetric, let metric = labels.metricName {
            let current = idx.postings.postings(LabelName.metric, metric).count + (newSeriesPerMetric[metric] ?? 0)
            if current >= max { return .seriesLimit(metric: metric, limit: max) }
        }
        if let max = limits.maxLabelValuesPerName {
            for pair in labels where pair.name != LabelName.metric && !idx.postings.has(pair.name, pair.value) {
                let pending = newValues[pair.name] ?? []
                if pending.contains(pair.value) { continue }
                if idx.postings.valueCount(pair.name) + pending.count >= max {
                    return .labelValueLimit(label: pair.name, limit: max)
                }
            }
        }
        return nil
    }
}
