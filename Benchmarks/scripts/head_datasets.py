#!/usr/bin/env python3
"""Loads the shared benchmark data sets into Tundra's head and reports what it stored.

Writes each data set as Prometheus text lines (time order, one line per sample) to a
file, then runs `tundra tools import` on it, which prints series, samples, chunk
bytes per sample, samples/s and peak RSS. Figures go in docs/benchmarks.md.

    python3 Benchmarks/scripts/head_datasets.py --tundra .build/release/tundra synthetic --hosts 100
    python3 Benchmarks/scripts/head_datasets.py --tundra .build/release/tundra real
    python3 Benchmarks/scripts/head_datasets.py --tundra .build/release/tundra synthetic --hosts 1000 --duration 1800

Needs numpy (the shared generator uses it) and ../shared/bench beside the repository.
Stale markers cannot be written in the text format; the real set's 140 become plain
NaN, which costs the same bits in a chunk.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "bench"))
sys.path.insert(0, BENCH)


def fmt_labels(labels):
    name = dict(labels)["__name__"]
    rest = ",".join('%s="%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n"))
                    for k, v in labels if k != "__name__")
    return name + "{" + rest + "}"


def fmt_value(v):
    if v != v:
        return "NaN"
    if v == float("inf"):
        return "+Inf"
    if v == float("-inf"):
        return "-Inf"
    return repr(float(v))


def write_synthetic(path, hosts, duration, interval, seed):
    import gen
    ds = gen.Dataset(hosts=hosts, metrics=100, interval_s=interval, duration_s=duration, seed=seed)
    names = [fmt_labels(l) for l in ds.series_labels]
    per_host = len(names) // hosts
    n = 0
    with open(path, "w") as f:
        for k in range(ds.steps):
            lines = []
            for h in range(hosts):
                t = int(ds.ts_ms[h, k])
                for s in range(h * per_host, (h + 1) * per_host):
                    lines.append("%s %s %d\n" % (names[s], fmt_value(ds.values[s, k]), t))
            f.write("".join(lines))
            n += len(lines)
    return {"series": len(names), "samples": n}


def write_real(path, replicate):
    import real
    ds = real.RealDataset(os.path.join(BENCH, "data", "real-node-1s.jsonl.gz"), replicate=replicate)
    names = [fmt_labels(l) for l in ds.series_labels]
    events = []
    for s, ts in enumerate(ds.series_ts):
        for i, t in enumerate(ts):
            events.append((int(t), s, i))
    events.sort()
    with open(path, "w") as f:
        buf = []
        for t, s, i in events:
            buf.append("%s %s %d\n" % (names[s], fmt_value(float(ds.series_values[s][i])), t))
            if len(buf) >= 100_000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    return {"series": len(names), "samples": len(events)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tundra", required=True, help="path to the tundra binary (build with -c release)")
    ap.add_argument("--keep", action="store_true", help="keep the text file")
    ap.add_argument("--wal", action="store_true", help="import with the WAL on (default: head only)")
    sub = ap.add_subparsers(dest="dataset", required=True)
    syn = sub.add_parser("synthetic")
    syn.add_argument("--hosts", type=int, default=100)
    syn.add_argument("--duration", type=float, default=3 * 3600)
    syn.add_argument("--interval", type=float, default=10.0)
    syn.add_argument("--seed", type=int, default=42)
    rl = sub.add_parser("real")
    rl.add_argument("--replicate", type=int, default=1)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="tundra-headbench-")
    text = os.path.join(work, "samples.txt")
    t0 = time.time()
    if args.dataset == "synthetic":
        info = write_synthetic(text, args.hosts, args.duration, args.interval, args.seed)
    else:
        info = write_real(text, args.replicate)
    print("# wrote %d series, %d samples (%.0f MB) in %.1f s" % (
        info["series"], info["samples"], os.path.getsize(text) / 1e6, time.time() - t0), flush=True)
    cmd = [args.tundra, "tools", "import", "--data-dir", os.path.join(work, "data"), "--late-window", "1y", text]
    if not args.wal:
        cmd.insert(3, "--no-wal")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    print(out, end="")
    if not args.keep:
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
