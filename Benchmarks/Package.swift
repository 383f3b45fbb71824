// swift-tools-version: 6.3
import PackageDescription

// Kept apart from the main package so that `swift test` never builds the benchmark
// graph. Run from this folder: `swift package benchmark` (see docs/benchmarks.md).
let package = Package(
    name: "TundraBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // What the benchmark executables share: a seedable random source.
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "EncodingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "TundraEncoding", package: "main"),
                .product(name: "TundraModel", package: "main"),
            ],
            path: "Benchmarks/EncodingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HeadBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TundraHead", package: "main"),
                .product(name: "TundraModel", package: "main"),
            ],
            path: "Benchmarks/HeadBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Writes a bucket of raw 2h blocks for the compactor figures:
        // `swift run -c release CompactionData --bucket DIR` (docs/benchmarks.md,
        // "Compaction and downsampling"; Benchmarks/scripts/compaction_bench.sh).
        .executableTarget(
            name: "CompactionData",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "TundraBlock", package: "main"),
                .product(name: "TundraModel", package: "main"),
                .product(name: "TundraEncoding", package: "main"),
                .product(name: "TundraCompaction", package: "main"),
                .product(name: "TundraObjectStore", package: "main"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/CompactionData"
        ),
    ]
)
