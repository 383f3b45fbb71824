#!/usr/bin/env python3
"""Compaction and downsampling figures for `tundra-compactor` (docs/benchmarks.md).

Writes a bucket of raw 2h blocks with the CompactionData generator (Benchmarks
package), then, for each memory budget and run, on a fresh copy of that bucket:

  1. a compaction pass (downsampling off, retention forever): 2h -> 8h -> 2d;
  2. a downsampling pass on the result (raw_after 0s, 1m_after 0s): raw -> 1m -> 1h;
  3. a pass with nothing left to do (the steady state of a compactor on a timer).

Each pass runs under /usr/bin/time -v (peak RSS, CPU); the compactor's own progress
lines give each step's samples and seconds, and the request counts by kind. After
the last run the bucket's bytes are summed per resolution (meta.json "tundra"
"resolution"). With --s3 the same passes run once against SeaweedFS (`weed server
-s3`, loopback, SigV4), and SeaweedFS' own request counters are read as well.

    python3 Benchmarks/scripts/compaction_bench.py \
        --compactor .build/release/tundra-compactor \
        --generator Benchmarks/.build/release/CompactionData --runs 3 --s3

Benchmarks/scripts/compaction_bench.sh builds both and runs this.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seaweed import SeaweedFS  # noqa: E402

STEP_RE = re.compile(r"\] step (\d+): (merge into \S+|downsample to \S+) \((\w+)\): .*, (\d+) block\(s\), (\d+) samples$")
DONE_RE = re.compile(r"\] step (\d+) done in ([\d.]+)s$")
PASS_RE = re.compile(
    r"pass (done|FAILED) in ([\d.]+)s: .*; (\d+) samples, (\d+) bytes read, (\d+) bytes written(?:, peak RSS (\d+) MiB)?; "
    r"requests: LIST (\d+), GET (\d+), PUT (\d+), HEAD (\d+), DELETE (\d+)")
KINDS = ["LIST", "GET", "PUT", "HEAD", "DELETE"]


def config_text(bucket_yaml, work, budget, downsampling):
    lines = [bucket_yaml, "compactor:", f"  work_dir: {work}", "  deletion_delay: 0s", f"  memory_budget_mib: {budget}",
             f"  metrics_file: {work}.prom"]
    if downsampling:
        lines += ["downsampling:", "  enabled: true", "  raw_after: 0s", "  1m_after: 0s"]
    else:
        lines += ["downsampling:", "  enabled: false"]
    lines += ["retention:", "  raw: forever", "  1m: forever", "  1h: forever", ""]
    return "\n".join(lines)


def run_pass(compactor, config_path, log_path):
    """Runs one pass under /usr/bin/time -v; returns what it printed, parsed."""
    load = open("/proc/loadavg").read().split()[0]
    started = time.time()
    with open(log_path, "w") as log:
        r = subprocess.run(["/usr/bin/time", "-v", compactor, "--config", config_path], stderr=log, stdout=log)
    wall = time.time() - started
    text = open(log_path).read()
    out = {"exit": r.returncode, "wall_s": wall, "load_before": float(load), "steps": [], "log": log_path}
    for key, pattern in [("max_rss_kb", r"Maximum resident set size \(kbytes\): (\d+)"),
                         ("user_s", r"User time \(seconds\): ([\d.]+)"), ("sys_s", r"System time \(seconds\): ([\d.]+)")]:
        m = re.search(pattern, text)
        out[key] = float(m.group(1)) if m else None
    steps = {}
    for line in text.splitlines():
        m = STEP_RE.search(line)
        if m:
            steps[int(m.group(1))] = {"kind": m.group(2), "from": m.group(3), "inputs": int(m.group(4)), "samples": int(m.group(5))}
        m = DONE_RE.search(line)
        if m and int(m.group(1)) in steps:
            steps[int(m.group(1))]["seconds"] = float(m.group(2))
        m = PASS_RE.search(line)
        if m:
            out.update({"status": m.group(1), "pass_s": float(m.group(2)), "samples": int(m.group(3)), "bytes_read": int(m.group(4)),
                        "bytes_written": int(m.group(5)), "reported_rss_mib": int(m.group(6)) if m.group(6) else None,
                        "requests": dict(zip(KINDS, map(int, m.groups()[6:])))})
        if "FAILED" in line or "failure:" in line or "error" in line.lower():
            out.setdefault("problems", []).append(line)
    out["steps"] = [steps[k] for k in sorted(steps)]
    if r.returncode != 0 or out.get("status") != "done":
        out.setdefault("problems", []).append(f"exit status {r.returncode}; see {log_path}")
    return out


def bucket_sizes(directory):
    """Bytes, samples and blocks per resolution of the blocks in a filesystem bucket."""
    sizes = {}
    for name in sorted(os.listdir(directory)):
        meta_path = os.path.join(directory, name, "meta.json")
        if not os.path.isfile(meta_path) or os.path.exists(os.path.join(directory, name, "deletion-mark.json")):
            continue
        meta = json.load(open(meta_path))
        res = (meta.get("tundra") or {}).get("resolution", 0)
        total = 0
        for root, _, files in os.walk(os.path.join(directory, name)):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        s = sizes.setdefault({0: "raw", 60000: "1m", 3600000: "1h"}.get(res, str(res)), {"bytes": 0, "samples": 0, "blocks": 0, "series": 0})
        s["bytes"] += total
        s["samples"] += meta["stats"]["numSamples"]
        s["series"] = max(s["series"], meta["stats"]["numSeries"])
        s["blocks"] += 1
    return sizes


def diff_counts(after, before):
    return {k: after.get(k, 0) - before.get(k, 0) for k in sorted(set(after) | set(before)) if after.get(k, 0) != before.get(k, 0)}


def fmt_int(n):
    return f"{n:,}"


def summarize(runs_by_budget, sizes, s3, machine, gen):
    lines = []
    p = lines.append
    p(f"machine: {machine}")
    p(f"data: {gen['samples']:,} samples in {gen['blocks']} raw 2h blocks, {gen['bytes']:,} bytes ({gen['bytes'] / gen['samples']:.3f} B/sample)")
    for budget, runs in runs_by_budget.items():
        p("")
        p(f"## memory_budget_mib {budget} ({len(runs)} runs)")
        for phase in ["compact", "downsample", "idle"]:
            passes = [r[phase] for r in runs]
            p(f"{phase}: pass s {[round(x.get('pass_s', float('nan')), 1) for x in passes]}, "
              f"peak RSS MiB {[round(x['max_rss_kb'] / 1024) for x in passes]}, "
              f"CPU s (user+sys) {[round(x['user_s'] + x['sys_s'], 1) for x in passes]}, load before {[x['load_before'] for x in passes]}")
            p(f"  requests per pass: {passes[0].get('requests')}" + ("" if all(x.get('requests') == passes[0].get('requests') for x in passes) else
                                                                  f" (varies: {[x.get('requests') for x in passes]})"))
            if phase == "compact":
                total = [x["samples"] / x["pass_s"] for x in passes]
                inputs = [gen["samples"] / x["pass_s"] for x in passes]
                p(f"  samples processed/s (all steps) median {statistics.median(total):,.0f} range {min(total):,.0f}-{max(total):,.0f}")
                p(f"  raw samples compacted/s (bucket samples / pass) median {statistics.median(inputs):,.0f} range {min(inputs):,.0f}-{max(inputs):,.0f}")
            kinds = {}
            for x in passes:
                for s in x["steps"]:
                    kinds.setdefault(s["kind"], []).append(s)
            for kind, steps in kinds.items():
                per_run = {}
                for i, x in enumerate(passes):
                    mine = [s for s in x["steps"] if s["kind"] == kind]
                    per_run[i] = (sum(s["samples"] for s in mine), sum(s.get("seconds", 0) for s in mine), len(mine))
                rates = [v[0] / v[1] for v in per_run.values() if v[1] > 0]
                if not rates:
                    # Steps under the 0.1 s the progress line shows: too small to time.
                    continue
                n_steps = per_run[0][2]
                p(f"  {kind}: {n_steps} step(s), {per_run[0][0]:,} samples, seconds {[round(v[1], 1) for v in per_run.values()]}, "
                  f"samples/s median {statistics.median(rates):,.0f} range {min(rates):,.0f}-{max(rates):,.0f}")
            for x in passes:
                for problem in x.get("problems", []):
                    p(f"  PROBLEM: {problem}")
    p("")
    p("## bytes in the bucket by resolution (after compaction and downsampling)")
    raw = sizes.get("raw", {}).get("bytes", 0)
    for res in ["raw", "1m", "1h"]:
        s = sizes.get(res)
        if s:
            p(f"{res}: {s['blocks']} block(s), {fmt_int(s['bytes'])} bytes, {fmt_int(s['samples'])} samples/windows, "
              f"{s['bytes'] / raw:.3f} of raw" if raw else "")
    if s3:
        p("")
        p("## SeaweedFS S3")
        for phase in ["compact", "downsample", "idle"]:
            x = s3[phase]
            p(f"{phase}: pass {x.get('pass_s')} s, peak RSS {round(x['max_rss_kb'] / 1024)} MiB, compactor requests {x.get('requests')}, "
              f"SeaweedFS S3 requests {x.get('server_requests')}")
            for problem in x.get("problems", []):
                p(f"  PROBLEM: {problem}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--compactor", default=".build/release/tundra-compactor")
    ap.add_argument("--generator", default="Benchmarks/.build/release/CompactionData")
    ap.add_argument("--work", help="scratch folder (default: a new one under /tmp, removed at the end)")
    ap.add_argument("--series", type=int, default=10000)
    ap.add_argument("--blocks", type=int, default=24)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budgets", default="512,64", help="compactor.memory_budget_mib values, comma-separated")
    ap.add_argument("--s3", action="store_true", help="also run the passes once against SeaweedFS")
    ap.add_argument("--weed", default=shutil.which("weed") or "weed")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()

    compactor, generator = os.path.abspath(args.compactor), os.path.abspath(args.generator)
    for b in (compactor, generator):
        if not os.access(b, os.X_OK):
            sys.exit(f"not found: {b} (build it first; see Benchmarks/scripts/compaction_bench.sh)")
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="tundra-compaction-bench-")
    os.makedirs(work, exist_ok=True)
    mem = next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1]
    machine = f"{os.cpu_count()} CPUs, {int(mem) // 1024 // 1024 + 1} GiB, kernel {platform.release()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    print(machine, flush=True)

    gen_cmd = [generator, "--series", str(args.series), "--blocks", str(args.blocks), "--seed", str(args.seed)]
    orig = os.path.join(work, "orig")
    shutil.rmtree(orig, ignore_errors=True)
    out = subprocess.run(gen_cmd + ["--bucket", orig], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    m = re.search(r"done: (\d+) samples, (\d+) bytes", out.stdout)
    gen = {"samples": int(m.group(1)), "bytes": int(m.group(2)), "blocks": args.blocks, "command": " ".join(gen_cmd)}
    print(out.stdout.splitlines()[1], flush=True)
    print(out.stdout.splitlines()[-1], flush=True)

    results = {"machine": machine, "generator": gen, "budgets": {}, "s3": None}
    sizes = {}
    try:
        for budget in [int(b) for b in args.budgets.split(",")]:
            runs = []
            for run in range(args.runs):
                bucket = os.path.join(work, "bucket")
                shutil.rmtree(bucket, ignore_errors=True)
                subprocess.run(["cp", "-a", orig, bucket], check=True)
                subprocess.run(["sync"], check=True)
                phases = {}
                for phase, down in [("compact", False), ("downsample", True), ("idle", True)]:
                    cfg = os.path.join(work, f"{phase}.yml")
                    yaml = f"bucket:\n  type: FILESYSTEM\n  config:\n    directory: {bucket}"
                    with open(cfg, "w") as f:
                        f.write(config_text(yaml, os.path.join(work, "compactor-work"), budget, down))
                    phases[phase] = run_pass(compactor, cfg, os.path.join(work, f"{phase}-{budget}-{run + 1}.log"))
                    x = phases[phase]
                    print(f"budget {budget} run {run + 1} {phase}: {x.get('status')} in {x.get('pass_s')} s, "
                          f"peak RSS {round(x['max_rss_kb'] / 1024)} MiB, requests {x.get('requests')}", flush=True)
                runs.append(phases)
                sizes = bucket_sizes(bucket)
            results["budgets"][budget] = runs
        results["sizes"] = sizes
        shutil.rmtree(os.path.join(work, "bucket"), ignore_errors=True)

        if args.s3:
            weed = SeaweedFS(args.weed, os.path.join(work, "s3"))
            try:
                env = dict(os.environ, AWS_ACCESS_KEY_ID=weed.key, AWS_SECRET_ACCESS_KEY=weed.secret)
                staging = os.path.join(work, "s3-staging")
                up = subprocess.run(gen_cmd + ["--bucket", staging, "--s3-endpoint", weed.endpoint, "--s3-bucket", weed.bucket],
                                    capture_output=True, text=True, env=env)
                if up.returncode != 0:
                    sys.exit(up.stderr)
                print("uploaded to SeaweedFS: " + up.stdout.splitlines()[-1], flush=True)
                s3 = {}
                for phase, down in [("compact", False), ("downsample", True), ("idle", True)]:
                    cfg = os.path.join(work, f"s3-{phase}.yml")
                    with open(cfg, "w") as f:
                        f.write(config_text(weed.yaml(), os.path.join(work, "compactor-work-s3"), 512, down))
                    before = weed.request_counts()
                    s3[phase] = run_pass(compactor, cfg, os.path.join(work, f"s3-{phase}.log"))
                    time.sleep(1)
                    s3[phase]["server_requests"] = diff_counts(weed.request_counts(), before)
                    x = s3[phase]
                    print(f"S3 {phase}: {x.get('status')} in {x.get('pass_s')} s, peak RSS {round(x['max_rss_kb'] / 1024)} MiB, "
                          f"requests {x.get('requests')}, SeaweedFS {x['server_requests']}", flush=True)
                results["s3"] = s3
            finally:
                weed.stop()

        summary = summarize(results["budgets"], sizes, results["s3"], machine, gen)
        print("\n" + summary)
        with open(os.path.join(work, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
        with open(os.path.join(work, "summary.txt"), "w") as f:
            f.write(summary + "\n")
        print(f"\nresults: {work}/results.json, {work}/summary.txt")
    finally:
        if not args.keep:
            for name in ["orig", "bucket", "s3", "s3-staging", "compactor-work", "compactor-work-s3"]:
                shutil.rmtree(os.path.join(work, name), ignore_errors=True)


if __name__ == "__main__":
    main()
