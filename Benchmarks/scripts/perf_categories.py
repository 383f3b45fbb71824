#!/usr/bin/env python3
"""Splits a `perf record` profile of `tundra serve` into ingest-path categories.

Each sample goes to the innermost frame (walking from the leaf towards the root) that
matches one of RULES, so a malloc or retain called from label validation counts as
label validation. Separately it prints the self time of runtime leaf functions
(retain/release, malloc/free, generic metadata lookups, locks) across all categories,
and the Tundra functions that call the generic metadata lookups.

Recording (this machine has no hardware counters, so use the cpu-clock software
event; DWARF unwinding, because glibc's malloc has no frame pointers and frame-pointer
stacks lose the caller of every malloc/free sample):

    .build-bench/release/tundra serve --data-dir /tmp/t --listen 127.0.0.1:39201 &
    P=$!
    python3 Benchmarks/scripts/rw_ingest.py --url http://127.0.0.1:39201 --pid $P &
    sleep 30    # data set encoding (~5 s) + ramp-up
    perf record -e cpu-clock -F 499 --call-graph dwarf,16384 -p $P -o perf.data -- sleep 10
    perf script -i perf.data -F comm,tid,ip,sym,dso | swift-demangle --simplified > perf.txt
    python3 Benchmarks/scripts/perf_categories.py perf.txt
"""
import collections
import re
import sys

RULES = [
    ("snappy decompress", r"snappy::|Snappy\.decompress"),
    ("WAL (record encoding, CRC, write)", r"\bWAL|WALSegment|CRC32C"),
    ("chunk encoding (XORAppender, BitWriter)", r"XORAppender|BitWriter|XORChunk"),
    ("series lookup / creation (SeriesMap, index, postings)", r"SeriesMap|Postings|IndexState|MemSeries"),
    ("label hashing (Labels.stableHash)", r"stableHash|LabelsHash"),
    ("label validation (Labels.init(validating:))", r"LabelValidation|Labels\.init\(validating"),
    ("protobuf decode (swift-protobuf)", r"BinaryDecoder|Prometheus_\w+|Message\._merge|decodeFullMessage"),
    ("remote-write 1.0 reader (WriteRequestV1Reader)", r"WriteRequestV1Reader"),
    ("decoded message -> SeriesSamples (RemoteWriteDecoder)", r"RemoteWriteDecoder"),
    ("freeing the decoded batch after the append (destroy for SeriesSamples)", r"destroy for SeriesSamples"),
    ("Head.append itself (per-series lock, bookkeeping)", r"Head\.append|AppendResult|SeriesData"),
    ("HTTP (NIO event loops, HTTP/1 parser, Hummingbird, body)", r"NIO|HTTP|Hummingbird|llhttp|collectBody|Channel|Router|Responder|ByteBuffer"),
    ("WriteRoute.handle, other", r"WriteRoute"),
    ("self-monitoring", r"SelfMonitor|ProcessStats|HeadMetrics"),
]
LEAF = [
    ("retain/release", r"swift_retain|swift_release|swift_bridgeObject|RefCounts|swift_isUniquelyReferenced"),
    ("malloc/free", r"malloc|_int_free|cfree|unlink_chunk|free$|swift_slowAlloc|swift_slowDealloc|swift_allocObject|swift_deallocClassInstance"),
    ("generic metadata lookup", r"GenericMetadata|MetadataCacheKey|getCache|ConcurrentReadableHashMap|LockingConcurrentMap|metadata accessor"),
    ("locks (futex, mutex)", r"futex|mutex|lll_lock"),
]


def read_samples(path):
    samples, cur = [], None
    for line in open(path, errors="replace"):
        if not line.strip():
            if cur is not None:
                samples.append(cur)
            cur = None
        elif not line[0].isspace():
            cur = []
        elif cur is not None:
            m = re.match(r"\s+[0-9a-f]+ (.*) \((.*)\)\s*$", line)
            if m:
                cur.append((m.group(1), m.group(2).rsplit("/", 1)[-1]))
    if cur:
        samples.append(cur)
    return samples


def main():
    samples = read_samples(sys.argv[1])
    n = len(samples)
    rules = [(name, re.compile(p)) for name, p in RULES]
    leaf_rules = [(name, re.compile(p)) for name, p in LEAF]
    cats, leaves, meta_callers = collections.Counter(), collections.Counter(), collections.Counter()
    for frames in samples:
        cat = next((name for sym, _ in frames for name, p in rules if p.search(sym)), None)
        if cat is None:
            cat = "other (leaf in %s)" % (frames[0][1] if frames else "?")
        cats[cat] += 1
        leaf = frames[0][0] if frames else ""
        kind = next((name for name, p in leaf_rules if p.search(leaf)), None)
        if kind:
            leaves[kind] += 1
        if kind == "generic metadata lookup":
            caller = next((s for s, dso in frames[1:] if dso == "tundra" and not s.startswith("__swift_instantiate")), "?")
            meta_callers[caller[:100]] += 1
    print("%d samples\n\nby category (innermost matching frame):" % n)
    for k, v in cats.most_common():
        print("%6.1f%%  %s" % (100.0 * v / n, k))
    print("\nself time of runtime leaf functions, all categories:")
    for k, v in leaves.most_common():
        print("%6.1f%%  %s" % (100.0 * v / n, k))
    print("\ncallers of generic metadata lookups:")
    for k, v in meta_callers.most_common(5):
        print("%6.1f%%  %s" % (100.0 * v / n, k))


if __name__ == "__main__":
    main()
