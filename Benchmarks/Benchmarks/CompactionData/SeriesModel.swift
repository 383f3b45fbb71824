import BenchmarkSupport
import TundraModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one metric's values move from scrape to scrape.
enum ValueKind {
    /// Increases by about `rate` per second (drawn per series between the bounds),
    /// rounded to `step`; back to zero when its host restarts.
    case counter(rateLow: Double, rateHigh: Double, step: Double)
    /// Reverts to a mean drawn per series between the bounds, with noise of `noise`
    /// times the mean per scrape, rounded to `step`, never below zero.
    case gauge(meanLow: Double, meanHigh: Double, noise: Double, step: Double)
    /// One value per series for the whole data set (sizes, totals).
    case constant(low: Double, high: Double, step: Double)
}

/// A metric of a node-exporter-like target, with one series per value of its extra
/// label (or one series when it has none).
struct MetricTemplate {
    var name: String
    var kind: ValueKind
    var extra: [(name: String, values: [String])]

    /// Every combination of the extra labels' values.
    var combinations: [[(String, String)]] {
        var out: [[(String, String)]] = [[]]
        for label in extra {
            out = out.flatMap { prefix in label.values.map { prefix + [(label.name, $0)] } }
        }
        return out
    }
}

/// 100 series per host: counters (CPU, network, disk, kernel, HTTP), gauges (memory,
/// load, filesystem, temperature, processes) and constants, as a node exporter and an
/// application on the same host expose them.
enum HostModel {
    static let cpus = ["0", "1", "2", "3"]
    static let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    static let nics = ["eth0", "eth1", "lo"]
    static let disks = ["nvme0n1", "nvme1n1", "sda", "sdb"]
    static let mounts = ["/", "/data", "/home", "/var"]

    static let templates: [MetricTemplate] = [
        MetricTemplate(
            name: "node_cpu_seconds_total", kind: .counter(rateLow: 0.001, rateHigh: 0.9, step: 0.01),
            extra: [("cpu", cpus), ("mode", modes)]),
        MetricTemplate(name: "node_network_receive_bytes_total", kind: .counter(rateLow: 1e3, rateHigh: 5e6, step: 1), extra: [("device", nics)]),
        MetricTemplate(name: "node_network_transmit_bytes_total", kind: .counter(rateLow: 1e3, rateHigh: 5e6, step: 1), extra: [("device", nics)]),
        MetricTemplate(name: "node_network_receive_packets_total", kind: .counter(rateLow: 1, rateHigh: 5e3, step: 1), extra: [("device", nics)]),
        MetricTemplate(name: "node_network_transmit_packets_total", kind: .counter(rateLow: 1, rateHigh: 5e3, step: 1), extra: [("device", nics)]),
        MetricTemplate(name: "node_disk_read_bytes_total", kind: .counter(rateLow: 1e3, rateHigh: 2e7, step: 512), extra: [("device", disks)]),
        MetricTemplate(name: "node_disk_written_bytes_total", kind: .counter(rateLow: 1e3, rateHigh: 2e7, step: 512), extra: [("device", disks)]),
        MetricTemplate(name: "node_disk_io_time_seconds_total", kind: .counter(rateLow: 0.001, rateHigh: 0.5, step: 0.001), extra: [("device", disks)]),
        MetricTemplate(name: "node_disk_reads_completed_total", kind: .counter(rateLow: 0.1, rateHigh: 500, step: 1), extra: [("device", disks)]),
        MetricTemplate(name: "node_disk_writes_completed_total", kind: .counter(rateLow: 0.1, rateHigh: 500, step: 1), extra: [("device", disks)]),
        MetricTemplate(
            name: "node_filesystem_avail_bytes", kind: .gauge(meanLow: 1e9, meanHigh: 5e11, noise: 0.0005, step: 4096),
            extra: [("mountpoint", mounts)]),
        MetricTemplate(name: "node_filesystem_size_bytes", kind: .constant(low: 1e10, high: 2e12, step: 4096), extra: [("mountpoint", mounts)]),
        MetricTemplate(name: "node_memory_MemAvailable_bytes", kind: .gauge(meanLow: 1e9, meanHigh: 6e10, noise: 0.01, step: 4096), extra: []),
        MetricTemplate(name: "node_memory_MemFree_bytes", kind: .gauge(meanLow: 2e8, meanHigh: 2e10, noise: 0.02, step: 4096), extra: []),
        MetricTemplate(name: "node_memory_Cached_bytes", kind: .gauge(meanLow: 1e9, meanHigh: 3e10, noise: 0.005, step: 4096), extra: []),
        MetricTemplate(name: "node_memory_Buffers_bytes", kind: .gauge(meanLow: 1e7, meanHigh: 1e9, noise: 0.005, step: 4096), extra: []),
        MetricTemplate(name: "node_memory_MemTotal_bytes", kind: .constant(low: 4e9, high: 2.6e11, step: 1_048_576), extra: []),
        MetricTemplate(name: "node_load1", kind: .gauge(meanLow: 0.05, meanHigh: 8, noise: 0.15, step: 0.01), extra: []),
        MetricTemplate(name: "node_load5", kind: .gauge(meanLow: 0.05, meanHigh: 8, noise: 0.06, step: 0.01), extra: []),
        MetricTemplate(name: "node_load15", kind: .gauge(meanLow: 0.05, meanHigh: 8, noise: 0.03, step: 0.01), extra: []),
        MetricTemplate(name: "node_context_switches_total", kind: .counter(rateLow: 500, rateHigh: 5e4, step: 1), extra: []),
        MetricTemplate(name: "node_intr_total", kind: .counter(rateLow: 500, rateHigh: 5e4, step: 1), extra: []),
        MetricTemplate(name: "node_forks_total", kind: .counter(rateLow: 0.5, rateHigh: 50, step: 1), extra: []),
        MetricTemplate(name: "node_procs_running", kind: .gauge(meanLow: 1, meanHigh: 6, noise: 0.4, step: 1), extra: []),
        MetricTemplate(name: "node_procs_blocked", kind: .gauge(meanLow: 0.2, meanHigh: 2, noise: 0.8, step: 1), extra: []),
        MetricTemplate(
            name: "node_hwmon_temp_celsius", kind: .gauge(meanLow: 35, meanHigh: 75, noise: 0.01, step: 1.0 / 8),
            extra: [("sensor", ["temp1", "temp2", "temp3", "temp4"])]),
        MetricTemplate(name: "node_sockstat_TCP_inuse", kind: .gauge(meanLow: 10, meanHigh: 2000, noise: 0.03, step: 1), extra: []),
        MetricTemplate(name: "node_netstat_Tcp_RetransSegs", kind: .counter(rateLow: 0.01, rateHigh: 20, step: 1), extra: []),
        MetricTemplate(
            name: "http_requests_total", kind: .counter(rateLow: 0.01, rateHigh: 300, step: 1),
            extra: [("code", ["200", "201", "204", "301", "304", "400", "404", "500", "503"])]),
    ]

    static let regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"]

    /// The series of host `host`, in template order: 100 of them.
    static func series(host: Int) -> [(labels: Labels, kind: ValueKind)] {
        let instance = "host-\(String(host, radix: 10).leftPadded(to: 5)):9100"
        let region = regions[host % regions.count]
        let env = host % 5 == 4 ? "staging" : "prod"
        var out: [(labels: Labels, kind: ValueKind)] = []
        for template in templates {
            for combination in template.combinations {
                var pairs: [String: String] = [
                    "__name__": template.name, "instance": instance, "job": template.name.hasPrefix("http_") ? "app" : "node",
                    "region": region, "env": env,
                ]
                for (name, value) in combination { pairs[name] = value }
                out.append((Labels(pairs), template.kind))
            }
        }
        return out
    }

    static var seriesPerHost: Int { templates.reduce(0) { $0 + $1.combinations.count } }
}

/// The state of one series between scrapes.
struct SeriesState {
    let kind: ValueKind
    var value: Double
    /// Counter: units per second. Gauge: the mean it reverts to.
    var level: Double
    /// Counter: the count before rounding to what the target exposes.
    var exact: Double = 0
    /// Counter: the chance that it moves between two scrapes. A third of counters are
    /// mostly idle (errors, rare modes, quiet devices), as on a real host.
    var activity: Double = 1

    init(kind: ValueKind, rng: inout RandomSource) {
        self.kind = kind
        switch kind {
        case .counter(let low, let high, let step):
            level = rng.logUniform(low, high)
            if rng.unit() < 1.0 / 3 { activity = rng.logUniform(0.005, 0.3) }
            // A counter that has been running for a while: up to 30 days' worth.
            exact = level * rng.unit() * 30 * 86_400
            value = (exact / step).rounded(.down) * step
        case .gauge(let low, let high, _, let step):
            level = rng.logUniform(low, high)
            value = Self.round(level, step)
        case .constant(let low, let high, let step):
            level = Self.round(rng.logUniform(low, high), step)
            value = level
        }
    }

    /// The value at the next scrape, `seconds` after the last one.
    mutating func advance(seconds: Double, restarted: Bool, rng: inout RandomSource) -> Double {
        switch kind {
        case .counter(_, _, let step):
            if restarted { exact = 0 }
            // Bursty: most intervals near the rate, some well above, a few idle.
            let burst = rng.unit() < 0.05 ? 4 * rng.unit() : 0.6 + 0.8 * rng.unit()
            if activity >= 1 || rng.unit() < activity { exact += level * seconds * burst / activity }
            // Exposed in whole steps (bytes, sectors, hundredths of a second).
            value = (exact / step).rounded(.down) * step
        case .gauge(_, _, let noise, let step):
            let raw = value + 0.1 * (level - value) + noise * level * rng.gaussian()
            value = max(0, Self.round(raw, step))
        case .constant:
            break
        }
        return value
    }

    static func round(_ v: Double, _ step: Double) -> Double {
        (v / step).rounded() * step
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
