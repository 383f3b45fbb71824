// swift-tools-version: 6.1
import PackageDescription

// Strict settings, declared once for every target.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")

let package = Package(
    name: "Tundra",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tundra", targets: ["tundra"]),
        .library(name: "TundraModel", targets: ["TundraModel"]),
        .library(name: "TundraEncoding", targets: ["TundraEncoding"]),
        .library(name: "TundraHead", targets: ["TundraHead"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "TundraModel", swiftSettings: strict),
        .target(name: "TundraEncoding", dependencies: ["TundraModel"], swiftSettings: strict),
        .target(name: "TundraHead", dependencies: ["TundraModel", "TundraEncoding", logging], swiftSettings: strict),
        .target(name: "TundraIngest", dependencies: ["TundraModel", "TundraHead"], swiftSettings: strict),
        .target(
            name: "TundraCLI",
            dependencies: ["TundraModel", "TundraHead", "TundraIngest", argumentParser, logging],
            swiftSettings: strict
        ),
        .executableTarget(name: "tundra", dependencies: ["TundraCLI"], swiftSettings: strict),
        // Fuzz entry points: plain functions, driven by libFuzzer in `scripts/fuzz` and by
        // corpus replay in the tests.
        .target(name: "TundraFuzz", dependencies: ["TundraEncoding", "TundraHead", "TundraIngest"], swiftSettings: strict),

        .target(name: "TundraTestSupport", dependencies: ["TundraModel"], path: "Tests/TundraTestSupport", swiftSettings: strict),
        .testTarget(name: "TundraModelTests", dependencies: ["TundraModel", "TundraTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TundraEncodingTests",
            dependencies: ["TundraEncoding", "TundraFuzz", "TundraTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "TundraHeadTests", dependencies: ["TundraHead", "TundraTestSupport", logging], swiftSettings: strict),
        .testTarget(
            name: "TundraIngestTests", dependencies: ["TundraIngest", "TundraFuzz", "TundraTestSupport", logging],
            swiftSettings: strict),
        .testTarget(
            name: "TundraEndToEndTests",
            dependencies: ["TundraModel", "TundraTestSupport"],
            swiftSettings: strict
        ),
    ]
)
