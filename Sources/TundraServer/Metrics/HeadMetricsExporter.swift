import CoreMetrics
import Synchronization
import TundraHead

/// Publishes the head's counters through swift-metrics when `/metrics` is scraped:
/// the head keeps plain atomics on its hot path, and this turns them into metrics.
final class HeadMetricsExporter: Sendable {
    private let last = Mutex<[String: Int]>([:])
    private let appended = Counter(label: "tundra_samples_appended_total")
    private let duplicates = Counter(label: "tundra_samples_duplicate_total")
    private let series = Gauge(label: "tundra_head_series")
    private let seriesCreated = Counter(label: "tundra_head_series_created_total")
    private let walBytes = Counter(label: "tundra_wal_bytes_written_total")
    private let walSyncs = Counter(label: "tundra_wal_fsyncs_total")
    private let walSyncSeconds = Gauge(label: "tundra_wal_fsync_seconds_total")
    private let rss = Gauge(label: "process_resident_memory_bytes")
    private let cpu = Gauge(label: "process_cpu_seconds_total")

    func update(from head: Head) {
        let st = head.stats
        bump("appended", st.samplesAppended, appended)
        bump("duplicates", st.duplicates, duplicates)
        bump("series_created", st.seriesCreated, seriesCreated)
        bump("wal_bytes", st.walBytesWritten, walBytes)
        bump("wal_syncs", st.walSyncs, walSyncs)
        for (reason, n) in st.rejected {
            bump("rejected_" + reason, n, Counter(label: "tundra_samples_rejected_total", dimensions: [("reason", reason)]))
        }
        series.record(st.series)
        walSyncSeconds.record(st.walSyncSeconds)
        let proc = ProcessStats.read()
        rss.record(proc.residentBytes)
        cpu.record(proc.cpuSeconds)
    }

    private func bump(_ key: String, _ value: Int, _ counter: Counter) {
        let delta = last.withLock { seen -> Int in
            let d = value - (seen[key] ?? 0)
            seen[key] = value
            return d
        }
        if delta > 0 { counter.increment(by: delta) }
    }
}
