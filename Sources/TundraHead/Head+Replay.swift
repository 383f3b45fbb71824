import Synchronization
import TundraModel

/// Counts kept while the WAL is replayed.
struct ReplayState {
    var samples = 0
    var unknownRefs = 0
}

extension Head {
    /// Applies one WAL record. Samples were accepted once, so the late window is not
    /// applied again (concurrent appenders may have logged a series' samples out of
    /// order); exact duplicates are skipped, so nothing is stored twice.
    func applyReplayed(_ record: WALRecord, _ state: inout ReplayState) {
        switch record {
        case .series(let list):
            index.withLock { idx in
                for (ref, labels) in list {
                    let hash = labels.stableHash
                    if series.get(ref: ref) != nil { continue }
                    let interned = idx.intern(labels)
                    let s = MemSeries(ref: ref, labels: interned, hash: hash)
                    idx.postings.add(ref, interned)
                    series.add(s)
                    idx.nextRef = max(idx.nextRef, ref + 1)
                    counters.series.wrappingAdd(1, ordering: .relaxed)
                }
            }
        case .samples(let list):
            let opts = options
            var i = 0
            while i < list.count {
                let ref = list[i].ref
                var j = i
                while j < list.count && list[j].ref == ref { j += 1 }
                if let s = series.get(ref: ref) {
                    s.data.withLock { data in
                        for k in i..<j {
                            let outcome = data.append(
                                Sample(t: list[k].t, v: list[k].v), headMinValid: .min, lateWindow: .max, options: opts)
                            if case .appended = outcome { state.samples += 1 }
                        }
                    }
                } else {
                    state.unknownRefs += j - i
                }
                i = j
            }
        }
    }
}
