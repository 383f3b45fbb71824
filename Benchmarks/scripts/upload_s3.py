#!/usr/bin/env python3
"""Upload throughput to SeaweedFS and S3 requests per block.

Generates OpenMetrics history (--series series, a sample every --step-s seconds over
--hours hours), starts SeaweedFS (`weed server -s3`, SigV4 on) on loopback ports,
backfills the history with `tundra tools import --from openmetrics` into an S3 bucket
there, and prints what each block's upload took: bytes, seconds, MiB/s and the number
of S3 requests, from the backfill's own progress lines.

    python3 Benchmarks/scripts/upload_s3.py --tundra .build/release/tundra --series 10000 --hours 6
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seaweed import SeaweedFS  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tundra", required=True)
    ap.add_argument("--series", type=int, default=10000)
    ap.add_argument("--hours", type=float, default=6)
    ap.add_argument("--step-s", type=int, default=15)
    ap.add_argument("--weed", default=shutil.which("weed") or "weed")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="tundra-upload-")
    t0 = 1_700_000_000
    steps = int(args.hours * 3600 / args.step_s)
    path = os.path.join(work, "history.om")
    with open(path, "w") as f:
        f.write("# TYPE node_cpu_seconds counter\n")
        for k in range(steps):
            t = t0 + k * args.step_s
            for i in range(args.series):
                f.write(f'node_cpu_seconds_total{{instance="host-{i // 100}:9100",cpu="{i % 100}"}} {k * 0.25 + i % 7} {t}\n')
        f.write("# EOF\n")
    samples = steps * args.series

    weed = SeaweedFS(args.weed, work, bucket="bench")
    try:
        with open(os.path.join(work, "tundra.yml"), "w") as f:
            f.write(weed.yaml() + "\n")
        start = time.time()
        out = subprocess.run([args.tundra, "tools", "import", "--from", "openmetrics", "--config", f"{work}/tundra.yml",
                              "--data-dir", f"{work}/data", path], capture_output=True, text=True)
        wall = time.time() - start
        if out.returncode != 0:
            sys.exit(out.stderr)
        total_bytes = total_s = 0.0
        requests = []
        for line in out.stdout.splitlines():
            m = re.search(r"(\d+) samples, (\d+) bytes uploaded in ([\d.]+) s \(([\d.]+) MiB/s, (\d+) requests\)", line)
            if m:
                print(line)
                total_bytes += int(m.group(2))
                total_s += float(m.group(3))
                requests.append(int(m.group(5)))
        print(f"samples {samples}, series {args.series}, blocks {len(requests)}, backfill wall {wall:.1f} s")
        print(f"uploaded {total_bytes / 1048576:.1f} MiB in {total_s:.2f} s: {total_bytes / 1048576 / max(total_s, 1e-9):.1f} MiB/s")
        print(f"S3 requests per block: {requests}; bytes per sample in the bucket {total_bytes / samples:.3f}")
    finally:
        weed.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
