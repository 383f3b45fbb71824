#!/usr/bin/env python3
"""Sends the shared benchmark's remote-write requests to one running server.

The full side-by-side comparison is done by ../shared/bench/compare.py with
Benchmarks/scripts/tundra_targets.json (see docs/benchmarks.md, "Remote-write
ingest"); compare.py handles a target without a query API (its stored-sample check
and queries are recorded as n/a / 404). This script is for what compare.py does not
do: sending only the first N requests (for a profiler, which slows the server 50x),
and reading Tundra's own counters afterwards.

It builds the same data set as compare.py (gen.py, same defaults), pre-encodes it
with rw.encode_dataset (same sharding: crc32 of the labels onto --shards shards,
2000 samples per request, one TimeSeries per sample, snappy block) and sends it
with rw.send_all (one keep-alive connection per shard, shards kept within 10 min
of data time). It prints samples/s accepted, rejected and failed samples, the
error texts, and, with --pid, the server's CPU seconds, VmHWM (peak RSS, from
/proc) and peak RSS per series. If the server answers /metrics with
tundra_samples_appended_total, that counter is printed too.

The server must already be running; start it yourself, for example:

    .build-bench/release/tundra serve --data-dir /tmp/t --listen 127.0.0.1:39201 &
    python3 Benchmarks/scripts/rw_ingest.py --url http://127.0.0.1:39201 --pid $!
    python3 Benchmarks/scripts/rw_ingest.py --url http://127.0.0.1:39201 --pid $! --hosts 1000 --duration 1800

Profiling a short run under callgrind (the first 200 requests, 400,000 samples):

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \\
        .build-bench/release/tundra serve --data-dir /tmp/t --listen 127.0.0.1:39201 &
    python3 Benchmarks/scripts/rw_ingest.py --url http://127.0.0.1:39201 --requests 200 \\
        --request-timeout 300 --ready-timeout 120

Needs numpy and cramjam (as the harness does) and ../shared/bench beside the
repository (it imports gen.py and rw.py from there, like head_datasets.py).
"""
import argparse
import json
import os
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "bench"))
sys.path.insert(0, BENCH)

import gen  # noqa: E402
import rw   # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


def proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    out[k] = int(v.split()[0])  # kB
    except OSError:
        pass
    return out


def proc_cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / CLK
    except OSError:
        return None


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def wait_ready(base, timeout):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            if get(base + "/-/ready", timeout=2)[0] == 200:
                return time.time() - t0
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("%s/-/ready did not answer 200 within %ss" % (base, timeout))


def tundra_counters(base):
    try:
        st, body = get(base + "/metrics", timeout=30)
    except OSError:
        return {}
    out = {}
    for line in body.decode("utf-8", "replace").splitlines():
        for name in ("tundra_samples_appended_total", "tundra_head_series", "tundra_samples_rejected_total",
                     "tundra_samples_duplicate_total"):
            if line.startswith(name):
                k, _, v = line.rpartition(" ")
                out[k] = out.get(k, 0) + float(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:39201", help="server base URL (writes go to /api/v1/write)")
    ap.add_argument("--pid", type=int, help="server PID, for CPU and VmHWM from /proc")
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--metrics", type=int, default=100, help="series per host")
    ap.add_argument("--interval", type=float, default=10.0)
    ap.add_argument("--duration", type=float, default=3 * 3600)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--jitter-ms", type=float, default=3.0)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=0,
                    help="send only the first N requests (N/shards from each shard, in order); 0 = all")
    ap.add_argument("--request-timeout", type=float, default=30)
    ap.add_argument("--ready-timeout", type=float, default=30)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    base = args.url.rstrip("/")

    ds = gen.Dataset(args.hosts, args.metrics, args.interval, args.duration, None, args.seed, args.jitter_ms)
    reqs, enc = rw.encode_dataset(ds, shards=args.shards, batch=args.batch)
    if args.requests:
        per = -(-args.requests // args.shards)
        reqs = [r[:per] for r in reqs]
    n_req = sum(len(r) for r in reqs)
    n_smp = sum(q.n_samples for r in reqs for q in r)
    print("data set: %d series, %d samples; sending %d requests, %d samples" % (ds.n_series, ds.n_samples, n_req, n_smp),
          flush=True)

    wait_ready(base, args.ready_timeout)
    time.sleep(1)
    idle = proc_status(args.pid) if args.pid else {}
    cpu0 = proc_cpu_s(args.pid) if args.pid else None
    res, wall, client_cpu = rw.send_all(base + "/api/v1/write", reqs, timeout=args.request_timeout,
                                        retries=3)
    cpu1 = proc_cpu_s(args.pid) if args.pid else None
    after = proc_status(args.pid) if args.pid else {}
    lat = sorted(res.latencies)
    series_sent = min(ds.n_series, n_smp)
    out = {
        "series": ds.n_series, "samples_sent": n_smp, "requests": n_req, "wall_s": wall,
        "samples_per_s_accepted": res.ok_samples / wall if wall else None,
        "ok_samples": res.ok_samples, "rejected_samples": res.rejected_samples,
        "failed_samples": res.failed_samples, "retries": res.retries, "errors": res.errors,
        "latency_p50_ms": 1000 * lat[len(lat) // 2] if lat else None,
        "latency_p99_ms": 1000 * lat[int(len(lat) * 0.99)] if lat else None,
        "client_cpu_s": client_cpu,
    }
    if cpu0 is not None and cpu1 is not None:
        out["server_cpu_s"] = cpu1 - cpu0
        out["server_cpu_s_per_1M_samples"] = (cpu1 - cpu0) / max(1, res.ok_samples) * 1e6
    if after.get("VmHWM"):
        out["idle_rss_kB"] = idle.get("VmRSS")
        out["peak_rss_kB"] = after["VmHWM"]
        out["peak_rss_bytes_per_series"] = after["VmHWM"] * 1024 / series_sent
    out["server_counters"] = tundra_counters(base)
    for k, v in out.items():
        if isinstance(v, float):
            print("%-32s %.3f" % (k, v))
        else:
            print("%-32s %s" % (k, v))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
