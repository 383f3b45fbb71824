import Testing
import TundraConfig
import TundraObjectStore
import TundraHead
import TundraIngest

@testable import TundraServer

@Suite struct ConfigFileTests {
    @Test func aFullConfigIsRead() throws {
        let c = try ConfigFile.parse(
            """
            global:
              scrape_interval: 30s
              scrape_timeout: 5s
            storage:
              data_dir: /var/lib/tundra
            server:
              listen: 0.0.0.0:9999
              max_request_mib: 8
              max_inflight_writes: 4
              tls: {cert_file: /etc/t/cert.pem, key_file: /etc/t/key.pem}
              auth:
                write: {bearer_tokens_file: /etc/t/tokens}
                read: {basic_auth_users_file: /etc/t/users}
            head:
              late_window: 5m
              wal_sync: batch
              wal_segment_mib: 64
              max_series_per_metric: 1000
              max_label_values_per_name: 0
            self_monitor_interval: 0
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['127.0.0.1:9100']
                    labels: {env: prod}
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: go_.*
                    action: drop
              - job_name: fast
                scrape_interval: 1s
                honor_labels: true
                file_sd_configs:
                  - files: [/etc/t/targets.json]
            """, file: "t.yml")
        let o = c.options
        #expect(o.dataDirectory == "/var/lib/tundra")
        #expect(o.host == "0.0.0.0" && o.port == 9999)
        #expect(o.maxRequestBytes == 8 << 20)
        #expect(o.maxInflightWrites == 4)
        #expect(o.tls == TLSFiles(certFile: "/etc/t/cert.pem", keyFile: "/etc/t/key.pem"))
        #expect(o.writeAuth == AuthConfig(basicAuthUsersFile: nil, bearerTokensFile: "/etc/t/tokens"))
        #expect(o.readAuth == AuthConfig(basicAuthUsersFile: "/etc/t/users", bearerTokensFile: nil))
        #expect(o.head.lateWindow == 300_000)
        #expect(o.head.wal.sync == .everyBatch)
        #expect(o.head.wal.segmentSize == 64 << 20)
        #expect(o.head.limits.maxSeriesPerMetric == 1000)
        #expect(o.head.limits.maxLabelValuesPerName == nil)
        #expect(o.selfMonitorIntervalMs == 0)
        #expect(c.scrapeConfigs.map(\.jobName) == ["node", "fast"])
        #expect(c.scrapeConfigs[0].intervalMs == 30_000)
        #expect(c.scrapeConfigs[0].timeoutMs == 5_000)
        #expect(c.scrapeConfigs[0].staticConfigs == [TargetGroup(targets: ["127.0.0.1:9100"], labels: ["env": "prod"])])
        #expect(c.scrapeConfigs[0].metricRelabelConfigs.first?.action == .drop)
        #expect(c.scrapeConfigs[1].intervalMs == 1_000)
        #expect(c.scrapeConfigs[1].timeoutMs == 1_000, "the timeout is capped by the job's interval")
        #expect(c.scrapeConfigs[1].honorLabels)
        #expect(c.scrapeConfigs[1].fileSDConfigs.first?.files == ["/etc/t/targets.json"])
    }

    @Test func bucketAndBlocksAreRead() throws {
        let c = try ConfigFile.parse(
            """
            bucket:
              type: S3
              config:
                bucket: tundra
                endpoint: 127.0.0.1:8333
                region: eu-west-1
                insecure: true
                access_key: AK
                secret_key: SK
            blocks:
              check_interval: 5s
              local_retention: forever
            head:
              block_range: 30m
            """, file: "b.yml")
        guard case .s3(let s3) = c.options.bucket else {
            Issue.record("not an S3 bucket: \(c.options.bucket)")
            return
        }
        #expect(s3.bucket == "tundra")
        #expect(s3.endpoint == "127.0.0.1:8333")
        #expect(s3.region == "eu-west-1")
        #expect(s3.insecure)
        #expect(s3.accessKey == "AK")
        #expect(c.options.blockCheckIntervalMs == 5_000)
        #expect(c.options.localBlockRetentionMs == nil)
        #expect(c.options.head.blockRange == 30 * 60_000)
        let d = try ConfigFile.parse("", file: "empty.yml")
        #expect(d.options.bucket == .embeddedDefault)
        #expect(d.options.localBlockRetentionMs == Int64(2 * 3_600_000))
    }

    @Test func anEmptyFileGivesTheDefaults() throws {
        let c = try ConfigFile.parse("", file: "empty.yml")
        #expect(c.options.port == 9470)
        #expect(c.options.head.lateWindow == HeadOptions().lateWindow)
        #expect(c.scrapeConfigs.isEmpty)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let yaml: String
        let line: Int?
        let fragment: String
        var testDescription: String { fragment }
    }

    @Test(arguments: [
        Bad(yaml: "server:\n  listen: x:1\n  listne: y\n", line: 3, fragment: "unknown key \"listne\" in server"),
        Bad(yaml: "head:\n  late_window: soon\n", line: 2, fragment: "head.late_window: \"soon\" is not a duration"),
        Bad(yaml: "head:\n  wal_sync: sometimes\n", line: 2, fragment: "head.wal_sync: \"sometimes\""),
        Bad(yaml: "server:\n  max_inflight_writes: 0\n", line: 2, fragment: "at least 1"),
        Bad(yaml: "scrape_configs:\n  - static_configs: []\n", line: 2, fragment: "needs a job_name"),
        Bad(yaml: "scrape_configs:\n  - job_name: a\n  - job_name: a\n", line: 3, fragment: "used twice"),
        Bad(yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n", line: 4, fragment: "longer than scrape_interval"),
        Bad(yaml: "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [nohost]\n", line: 4, fragment: "must be host:port"),
        Bad(yaml: "scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: hashmod\n", line: 4, fragment: "\"hashmod\" is not supported"),
        Bad(yaml: "scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: keep\n        regex: '('\n", line: 5, fragment: "invalid regular expression"),
        Bad(yaml: "server:\n  tls:\n    cert_file: a\n", line: 3, fragment: "needs both cert_file and key_file"),
        Bad(yaml: "global: [1, 2]\n", line: 1, fragment: "global must be a map"),
        Bad(yaml: "foo: 1\n", line: 1, fragment: "unknown key \"foo\" in the top level"),
        Bad(yaml: "server: {auth: {write: {}}}\n", line: 1, fragment: "needs basic_auth_users_file, bearer_tokens_file or both"),
        Bad(yaml: "a: [\n", line: nil, fragment: "not valid YAML"),
        Bad(yaml: "bucket:\n  type: S3\n  config:\n    bucket: b\n    endpoint: h:1\n    regoin: x\n", line: 6, fragment: "bucket.config.regoin: unknown key"),
        Bad(yaml: "bucket:\n  type: GCS\n", line: 2, fragment: "bucket.type: \"GCS\" is not S3 or FILESYSTEM"),
        Bad(yaml: "bucket:\n  type: S3\n  config:\n    bucket: b\n    endpoint: h:1\n    insecure: maybe\n", line: 6, fragment: "bucket.config.insecure"),
        Bad(yaml: "bucket:\n  config: {}\n", line: 2, fragment: "bucket needs a type"),
        Bad(yaml: "head:\n  block_range: 7m\n", line: 2, fragment: "head.block_range must be at least 1m and divide a day"),
        Bad(yaml: "blocks:\n  check_interval: never\n", line: 2, fragment: "blocks.check_interval"),
    ])
    func mistakesNameTheKeyAndTheLine(_ bad: Bad) {
        do {
            _ = try ConfigFile.parse(bad.yaml, file: "bad.yml")
            Issue.record("accepted: \(bad.yaml)")
        } catch {
            #expect(error.description.contains(bad.fragment), "\(error)")
            if let line = bad.line { #expect(error.line == line, "\(error)") }
            #expect(error.description.hasPrefix("bad.yml"), "\(error)")
        }
    }
}
