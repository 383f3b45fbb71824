import Testing
import TundraConfig
import TundraModel
import TundraObjectStore

@testable import TundraCompaction

/// `CompactorConfig.parse(_:file:)`: the `compactor:`, `downsampling:` and `retention:`
/// sections of the shared configuration file.
@Suite struct CompactorConfigTests {
    static let minute: Int64 = 60_000
    static let hour = CompactorConfig.hour
    static let day = CompactorConfig.day

    @Test(arguments: ["", "# only a comment\n", "\n\n"])
    func anEmptyFileGivesTheDefaults(_ text: String) throws {
        let c = try CompactorConfig.parse(text, file: "empty.yml")
        #expect(c.bucket == .embeddedDefault)
        #expect(c.dataDirectory == "./data")
        #expect(c.workDirectory == nil)
        #expect(c.resolvedWorkDirectory == "./data/compactor")
        #expect(c.levels == [2 * Self.hour, 8 * Self.hour, 48 * Self.hour, 336 * Self.hour])
        #expect(c.memoryBudgetBytes == 512 << 20)
        #expect(c.deletionDelayMs == 48 * Self.hour)
        #expect(c.partialUploadAgeMs == 24 * Self.hour)
        #expect(c.metricsFile == nil)
        #expect(c.downsampling.enabled)
        #expect(c.downsampling.rawAfterMs == 40 * Self.hour)
        #expect(c.downsampling.oneMinuteAfterMs == 10 * Self.day)
        #expect(c.retention.period(.raw) == 7 * Self.day)
        #expect(c.retention.period(.oneMinute) == 30 * Self.day)
        #expect(c.retention.period(.oneHour) == 365 * Self.day)
        #expect(c.retention.requireRollup)
        #expect(c.retention.overrides.isEmpty)
    }

    /// A file holding only a document marker (as generated or templated files often
    /// start) is an empty document, and reads as the defaults like an empty file
    /// (Yams gives a null scalar for it, not nil).
    @Test(arguments: ["---\n", "---\n# compactor settings go here\n", "--- ~\n"])
    func aDocumentMarkerAloneGivesTheDefaults(_ text: String) throws {
        let c = try CompactorConfig.parse(text, file: "empty.yml")
        #expect(c.levels == CompactorConfig().levels)
        #expect(c.retention.period(.raw) == 7 * Self.day)
    }

    @Test func everyKeyIsRead() throws {
        let c = try CompactorConfig.parse(
            """
            storage:
              data_dir: /var/lib/tundra
            bucket:
              type: FILESYSTEM
              config:
                directory: /srv/bucket
            compactor:
              work_dir: /scratch/compactor
              levels: [1h, 4h, 1d, 7d]
              memory_budget_mib: 64
              deletion_delay: 0
              partial_upload_age: 6h30m
              metrics_file: /var/lib/node_exporter/tundra.prom
            downsampling:
              enabled: true
              raw_after: 2d
              1m_after: 2w
            retention:
              raw: 14d
              1m: 90d
              1h: forever
              require_rollup: false
              overrides:
                - match: '{slo="yes"}'
                  raw: 90d
                - match: 'up{env=~"dev|test"}'
                  raw: 1d
                  1m: 7d
                  1h: forever
            """, file: "full.yml")
        #expect(c.dataDirectory == "/var/lib/tundra")
        #expect(c.bucket == .filesystem(FilesystemBucketConfig(directory: "/srv/bucket")))
        #expect(c.workDirectory == "/scratch/compactor")
        #expect(c.resolvedWorkDirectory == "/scratch/compactor")
        #expect(c.levels == [Self.hour, 4 * Self.hour, Self.day, 7 * Self.day])
        #expect(c.memoryBudgetBytes == 64 << 20)
        #expect(c.deletionDelayMs == 0)
        #expect(c.partialUploadAgeMs == 6 * Self.hour + 30 * Self.minute)
        #expect(c.metricsFile == "/var/lib/node_exporter/tundra.prom")
        #expect(c.downsampling.enabled)
        #expect(c.downsampling.rawAfterMs == 2 * Self.day)
        #expect(c.downsampling.oneMinuteAfterMs == 14 * Self.day)

        let r = c.retention
        #expect(r.period(.raw) == 14 * Self.day)
        #expect(r.period(.oneMinute) == 90 * Self.day)
        #expect(r.period(.oneHour) == nil, "forever")
        #expect(r.periods[.oneHour] == .some(nil), "forever is set, not missing")
        #expect(!r.requireRollup)

        try #require(r.overrides.count == 2)
        let slo = r.overrides[0]
        #expect(slo.selector == #"{slo="yes"}"#)
        #expect(slo.matchers.map(\.description) == [#"slo="yes""#])
        #expect(slo.periods == [.raw: 90 * Self.day], "only what the override sets")
        #expect(r.period(.raw, override: 0) == 90 * Self.day)
        #expect(r.period(.oneMinute, override: 0) == 90 * Self.day, "the policy's 1m period")
        #expect(r.period(.oneHour, override: 0) == nil)

        let dev = r.overrides[1]
        #expect(dev.selector == #"up{env=~"dev|test"}"#)
        #expect(Set(dev.matchers.map(\.description)) == [#"__name__="up""#, #"env=~"dev|test""#])
        #expect(dev.periods.count == 3)
        #expect(r.period(.raw, override: 1) == Self.day)
        #expect(r.period(.oneMinute, override: 1) == 7 * Self.day)
        #expect(r.period(.oneHour, override: 1) == nil)

        // The matchers work on series.
        #expect(r.retentionClass(of: Labels(["__name__": "up", "env": "test"])) == 1)
        #expect(r.retentionClass(of: Labels(["__name__": "up", "env": "prod"])) == nil)
        #expect(r.retentionClass(of: Labels(["__name__": "up", "env": "dev", "slo": "yes"])) == 0, "the first match decides")
        #expect(r.period(for: Labels(["__name__": "http_requests_total", "slo": "yes"]), at: .raw) == 90 * Self.day)
    }

    @Test func anS3BucketIsRead() throws {
        let c = try CompactorConfig.parse(
            """
            bucket:
              type: S3
              config:
                bucket: metrics
                endpoint: minio:9000
                insecure: true
            """, file: "s3.yml")
        guard case .s3(let s3) = c.bucket else {
            Issue.record("not S3: \(c.bucket)")
            return
        }
        #expect(s3.bucket == "metrics")
        #expect(s3.endpoint == "minio:9000")
        #expect(s3.insecure)
    }

    @Test func partialSectionsKeepTheOtherDefaults() throws {
        let c = try CompactorConfig.parse("retention:\n  raw: 3d\ndownsampling:\n  raw_after: 0\n", file: "p.yml")
        #expect(c.retention.period(.raw) == 3 * Self.day)
        #expect(c.retention.period(.oneMinute) == 30 * Self.day)
        #expect(c.retention.period(.oneHour) == 365 * Self.day)
        #expect(c.retention.requireRollup)
        #expect(c.downsampling.rawAfterMs == 0, "0 means at once")
        #expect(c.downsampling.oneMinuteAfterMs == 10 * Self.day)
        #expect(c.downsampling.enabled)
        #expect(c.levels == CompactorConfig().levels)
    }

    @Test func aSingleLevelIsAllowed() throws {
        let c = try CompactorConfig.parse("compactor:\n  levels: [2h]\n", file: "l.yml")
        #expect(c.levels == [2 * Self.hour])
    }

    @Test func theServersSectionsAreAcceptedAndIgnored() throws {
        let c = try CompactorConfig.parse(
            """
            global:
              scrape_interval: 15s
              external_labels: {cluster: a}
            server:
              listen: 0.0.0.0:9470
              something_only_a_newer_server_knows: 1
            head:
              block_range: 2h
              late_window: 1h
            blocks:
              check_interval: 1m
            self_monitor_interval: 15s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: [localhost:9100]
            compactor:
              memory_budget_mib: 32
            """, file: "shared.yml")
        #expect(c.memoryBudgetBytes == 32 << 20)
        #expect(c.levels == CompactorConfig().levels, "head.block_range is the server's")
    }

    @Test func downsamplingOffIsFineWhenNoRawBlockWaitsForARollup() throws {
        // Rollups not required.
        let a = try CompactorConfig.parse("downsampling:\n  enabled: false\nretention:\n  require_rollup: false\n", file: "a.yml")
        #expect(!a.downsampling.enabled)
        #expect(!a.retention.requireRollup)
        // Raw data kept forever, by default and by every override.
        let b = try CompactorConfig.parse(
            """
            downsampling:
              enabled: false
            retention:
              raw: forever
              overrides:
                - match: '{a="b"}'
                  raw: forever
                - match: '{c="d"}'
                  1h: 2y
            """, file: "b.yml")
        #expect(b.retention.period(.raw) == nil)
        #expect(b.retention.period(.oneHour, override: 1) == 2 * 365 * Self.day)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let yaml: String
        /// 1-based; nil when the error has no line.
        let line: Int?
        /// Text the message must contain: the key, and what is wrong.
        let fragments: [String]
        var testDescription: String { fragments.joined(separator: " … ") }

        init(_ yaml: String, line: Int?, _ fragments: String...) {
            self.yaml = yaml
            self.line = line
            self.fragments = fragments
        }
    }

    @Test(arguments: [
        // Unknown keys.
        Bad("compactor:\n  work_dir: /x\n  levles: [2h]\n", line: 3, #"unknown key "levles" in compactor"#, "levels"),
        Bad("compacter:\n  levels: [2h]\n", line: 1, #"unknown key "compacter" in the top level"#),
        Bad("downsampling:\n  raw-after: 2d\n", line: 2, #"unknown key "raw-after" in downsampling"#),
        Bad("retention:\n  row: 7d\n", line: 2, #"unknown key "row" in retention"#),
        Bad("retention:\n  overrides:\n    - match: '{a=\"b\"}'\n      rwa: 1d\n", line: 4, #"unknown key "rwa" in retention.overrides[0]"#),
        // Shapes.
        Bad("compactor: [1, 2]\n", line: 1, "compactor must be a map"),
        Bad("compactor:\n  levels: 2h\n", line: 2, "compactor.levels must be a list"),
        Bad("compactor:\n  levels:\n    - [2h]\n", line: 3, "compactor.levels[0] must be a single value"),
        Bad("retention:\n  overrides: {match: x}\n", line: 2, "retention.overrides must be a list"),
        // Durations and values.
        Bad("compactor:\n  deletion_delay: soon\n", line: 2, "compactor.deletion_delay", #""soon" is not a duration"#),
        Bad("compactor:\n  partial_upload_age: 1x\n", line: 2, "compactor.partial_upload_age", "not a duration"),
        Bad("downsampling:\n  raw_after: 40\n", line: 2, "downsampling.raw_after", #""40" is not a duration"#),
        Bad("downsampling:\n  1m_after: ten days\n", line: 2, "downsampling.1m_after", "not a duration"),
        Bad("downsampling:\n  enabled: maybe\n", line: 2, "downsampling.enabled", "must be true or false"),
        Bad("retention:\n  raw: 7 days\n", line: 2, "retention.raw", "a duration or forever"),
        Bad("retention:\n  1h: 0\n", line: 2, "retention.1h", "not a duration"),
        Bad("retention:\n  require_rollup: yes please\n", line: 2, "retention.require_rollup", "must be true or false"),
        Bad("compactor:\n  memory_budget_mib: 8\n", line: 2, "compactor.memory_budget_mib", "at least 16"),
        Bad("compactor:\n  memory_budget_mib: lots\n", line: 2, "compactor.memory_budget_mib"),
        // Levels.
        Bad("compactor:\n  levels:\n    - 8h\n    - 2h\n", line: 4, "compactor.levels[1]", "multiple of the one before (8h)"),
        Bad("compactor:\n  levels:\n    - 2h\n    - 2h\n", line: 4, "compactor.levels[1]", "multiple of the one before (2h)"),
        Bad("compactor:\n  levels:\n    - 2h\n    - 3h\n", line: 4, "compactor.levels[1]", "multiple of the one before (2h)"),
        Bad("compactor:\n  levels:\n    - 2h\n    - 8h\n    - 12h\n", line: 5, "compactor.levels[2]", "multiple of the one before (8h)"),
        Bad("compactor:\n  levels:\n    - 2h\n    - 10h\n", line: 4, "compactor.levels[1]", "divide a day or be whole days"),
        Bad("compactor:\n  levels:\n    - 30s\n", line: 3, "compactor.levels[0]", "at least 1m"),
        Bad("compactor:\n  levels:\n    - 2h\n    - 36h\n", line: 4, "compactor.levels[1]", "divide a day or be whole days"),
        Bad("compactor:\n  levels:\n    - two hours\n", line: 3, "compactor.levels[0]", "not a duration"),
        Bad("compactor:\n  levels: []\n", line: 2, "compactor.levels needs at least one range"),
        // Overrides.
        Bad("retention:\n  overrides:\n    - raw: 90d\n", line: 3, "retention.overrides[0] needs match"),
        Bad(
            "retention:\n  overrides:\n    - match: '{a=\"b\"}'\n      raw: 1d\n    - raw: 90d\n", line: 5,
            "retention.overrides[1] needs match"),
        Bad("retention:\n  overrides:\n    - match: '{slo=\"yes\"'\n      raw: 90d\n", line: 3, "retention.overrides[0].match", "selector"),
        Bad("retention:\n  overrides:\n    - match: '{slo=~\"(\"}'\n      raw: 90d\n", line: 3, "retention.overrides[0].match"),
        Bad("retention:\n  overrides:\n    - match: '{slo=\"yes\"}'\n", line: 3, "retention.overrides[0] sets no period", "raw, 1m or 1h"),
        Bad("retention:\n  overrides:\n    - match: '{a=\"b\"}'\n      1m: 90\n", line: 4, "retention.overrides[0].1m", "a duration or forever"),
        // Raw blocks that could never be deleted.
        Bad(
            "downsampling:\n  enabled: false\nretention:\n  raw: 7d\n", line: 4, "downsampling.enabled is false", "retention.require_rollup: false"),
        Bad(
            "downsampling:\n  enabled: false\nretention:\n  raw: forever\n  overrides:\n    - match: '{a=\"b\"}'\n      raw: 30d\n", line: 4,
            "downsampling.enabled is false"),
        Bad("not: [valid\n", line: nil, "not valid YAML"),
    ])
    func mistakesNameTheKeyAndTheLine(_ bad: Bad) {
        do {
            let c = try CompactorConfig.parse(bad.yaml, file: "bad.yml")
            Issue.record("accepted: \(bad.yaml) -> levels \(c.levels)")
        } catch {
            for fragment in bad.fragments { #expect(error.message.contains(fragment), "\(error)") }
            #expect(error.line == bad.line, "\(error)")
            #expect(error.file == "bad.yml")
            let prefix = bad.line.map { "bad.yml:\($0): " } ?? "bad.yml: "
            #expect(error.description.hasPrefix(prefix), "\(error)")
        }
    }

    /// Downsampling turned off with the default (finite) raw retention and no
    /// `retention:` section at all: refused, and the message says how to fix it.
    @Test func downsamplingOffWithDefaultRetentionIsRefused() {
        do {
            _ = try CompactorConfig.parse("downsampling:\n  enabled: false\n", file: "d.yml")
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("downsampling.enabled is false"), "\(error)")
            #expect(error.message.contains("retention.require_rollup: false"), "\(error)")
            #expect(error.line != nil, "\(error)")
        }
    }
}
