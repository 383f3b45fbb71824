import TundraConfig

/// The sections `tundra serve` reads.
extension ConfigSchema {
    static let auth: ConfigSchema = .map([
        "basic_auth_users_file": .value, "bearer_tokens_file": .value,
    ])

    static let relabel: ConfigSchema = .map([
        "source_labels": .list(.value), "separator": .value, "regex": .value, "target_label": .value,
        "replacement": .value, "action": .value,
    ])

    static let scrape: ConfigSchema = .map([
        "job_name": .value, "scrape_interval": .value, "scrape_timeout": .value, "metrics_path": .value,
        "scheme": .value, "honor_labels": .value,
        "static_configs": .list(.map(["targets": .list(.value), "labels": .labels])),
        "file_sd_configs": .list(.map(["files": .list(.value), "refresh_interval": .value])),
        "metric_relabel_configs": .list(relabel),
    ])

    static let root: ConfigSchema = .map([
        "global": .map(["scrape_interval": .value, "scrape_timeout": .value]),
        "storage": .map(["data_dir": .value]),
        "server": .map([
            "listen": .value, "max_request_mib": .value, "max_inflight_writes": .value,
            "tls": .map(["cert_file": .value, "key_file": .value]),
            "auth": .map(["write": auth, "read": auth]),
        ]),
        "bucket": .map(["type": .value, "config": .labels]),
        "blocks": .map(["check_interval": .value, "local_retention": .value]),
        "head": .map([
            "block_range": .value, "late_window": .value, "wal_sync": .value, "wal_segment_mib": .value, "max_series_per_metric": .value,
            "max_label_values_per_name": .value,
        ]),
        "self_monitor_interval": .value,
        "scrape_configs": .list(scrape),
        // Read and checked by tundra-compactor (and `tundra check config`).
        "compactor": .any, "downsampling": .any, "retention": .any,
    ])
}
