import TundraHead
import TundraModel

/// Appends Tundra's own figures to its head on every tick, as a Prometheus server
/// scraping itself would: the server has data to show from its first minute.
struct SelfMonitorSeries: Sendable {
    let head: Head
    let instance: String
    private let started = UnixTime.millis()

    init(head: Head, instance: String) {
        self.head = head
        self.instance = instance
    }

    func series(now: Int64) -> [SeriesSamples] {
        let st = head.stats
        let proc = ProcessStats.read()
        func gauge(_ name: String, _ value: Double, _ extra: [String: String] = [:]) -> SeriesSamples {
            var labels = ["__name__": name, "job": "tundra", "instance": instance]
            labels.merge(extra) { a, _ in a }
            return SeriesSamples(labels: Labels(labels), samples: [Sample(t: now, v: value)])
        }
        var out = [
            gauge("up", 1),
            gauge("process_resident_memory_bytes", Double(proc.residentBytes)),
            gauge("process_cpu_seconds_total", proc.cpuSeconds),
            gauge("process_start_time_seconds", Double(started) / 1000),
            gauge("tundra_head_series", Double(st.series)),
            gauge("tundra_head_series_created_total", Double(st.seriesCreated)),
            gauge("tundra_head_samples_appended_total", Double(st.samplesAppended)),
            gauge("tundra_head_duplicate_samples_total", Double(st.duplicates)),
            gauge("tundra_wal_bytes_written_total", Double(st.walBytesWritten)),
            gauge("tundra_wal_fsyncs_total", Double(st.walSyncs)),
            gauge("tundra_wal_fsync_seconds_total", st.walSyncSeconds),
        ]
        for (reason, n) in st.rejected.sorted(by: { $0.key < $1.key }) {
            out.append(gauge("tundra_head_rejected_samples_total", Double(n), ["reason": reason]))
        }
        return out
    }
}
