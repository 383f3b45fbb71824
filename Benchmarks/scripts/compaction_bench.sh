#!/usr/bin/env bash
# Builds tundra-compactor and the CompactionData generator (release), then runs the
# compaction and downsampling benchmark (docs/benchmarks.md, "Compaction and
# downsampling"). Extra arguments go to compaction_bench.py, e.g. --runs 1, --s3,
# --series 20000, --budgets 512,64,32, --work DIR --keep.
#
#   Benchmarks/scripts/compaction_bench.sh --s3
#
# Scratch paths: $MAIN_SCRATCH (default .build-release) for the root package and
# $DATA_SCRATCH (default Benchmarks/.build-release) for the benchmark package.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
main_scratch="${MAIN_SCRATCH:-$root/.build-release}"
data_scratch="${DATA_SCRATCH:-$root/Benchmarks/.build-release}"

swift build -c release --product tundra-compactor --package-path "$root" --scratch-path "$main_scratch"
swift build -c release --product CompactionData --package-path "$root/Benchmarks" --scratch-path "$data_scratch"
exec python3 "$root/Benchmarks/scripts/compaction_bench.py" \
    --compactor "$main_scratch/release/tundra-compactor" \
    --generator "$data_scratch/release/CompactionData" "$@"
