import Synchronization
import TundraEncoding
import TundraModel

extension Head {
    /// The series matching all `matchers`, with their samples in [mint, maxt] in
    /// time order, sorted by labels. Series without samples in the range are left out.
    ///
    /// Each series is read under its lock as one consistent view; the decoding
    /// happens after the lock is released.
    public func select(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws(ChunkError) -> [SeriesSamples] {
        let refs = index.withLock { $0.postings.select(matchers) }
        var out: [SeriesSamples] = []
        for ref in refs {
            guard let s = series.get(ref: ref) else { continue }
            let snap = s.data.withLock { $0.snapshot(mint: mint, maxt: maxt) }
            let samples = try snap.samples(mint: mint, maxt: maxt)
            if !samples.isEmpty { out.append(SeriesSamples(labels: s.labels, samples: samples)) }
        }
        out.sort { $0.labels < $1.labels }
        return out
    }

    /// The label sets of the series matching `matchers`, sorted.
    public func series(_ matchers: [Matcher]) -> [Labels] {
        let refs = index.withLock { $0.postings.select(matchers) }
        return refs.compactMap { series.get(ref: $0)?.labels }.sorted()
    }

    /// Label names in use, sorted; with matchers, only those of matching series.
    public func labelNames(_ matchers: [Matcher] = []) -> [String] {
        if matchers.isEmpty { return index.withLock { $0.postings.names } }
        var names = Set<String>()
        for labels in series(matchers) { for pair in labels { names.insert(pair.name) } }
        return names.sorted()
    }

    /// Values of the label `name`, sorted; with matchers, only those of matching series.
    public func labelValues(_ name: String, _ matchers: [Matcher] = []) -> [String] {
        if matchers.isEmpty { return index.withLock { $0.postings.values(name) } }
        var values = Set<String>()
        for labels in series(matchers) { if let v = labels[name] { values.insert(v) } }
        return values.sorted()
    }

    /// Sizes of the stored data, walking every series; for tools and benchmarks.
    public func storageStats() -> StorageStats {
        var st = StorageStats()
        series.forEach { s in
            s.data.withLock { d in
                st.series += 1
                st.samples += d.sampleCount
                st.chunkBytes += d.chunkBytes
                st.chunks += d.closed.count + (d.open == nil ? 0 : 1)
                st.lateSamples += d.late.count
            }
        }
        return st
    }
}

public struct StorageStats: Sendable, Equatable {
    public var series = 0
    public var samples = 0
    public var chunks = 0
    /// Bytes of Gorilla chunk data (headers included), not counting late samples.
    public var chunkBytes = 0
    public var lateSamples = 0

    public var bytesPerSample: Double { samples == 0 ? 0 : Double(chunkBytes) / Double(samples - lateSamples) }
}
