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
    ],
    targets: [
        .executableTarget(
            name: "EncodingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
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
    ]
)
