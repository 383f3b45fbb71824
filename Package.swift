// swift-tools-version: 6.1
import PackageDescription

// Strict settings, declared once for every target.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let protobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let hummingbirdCore = Target.Dependency.product(name: "HummingbirdCore", package: "hummingbird")
let hummingbirdTLS = Target.Dependency.product(name: "HummingbirdTLS", package: "hummingbird")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")

let package = Package(
    name: "Tundra",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tundra", targets: ["tundra"]),
        .executable(name: "tundra-compactor", targets: ["tundra-compactor"]),
        .library(name: "TundraModel", targets: ["TundraModel"]),
        .library(name: "TundraEncoding", targets: ["TundraEncoding"]),
        .library(name: "TundraHead", targets: ["TundraHead"]),
        .library(name: "TundraIngest", targets: ["TundraIngest"]),
        .library(name: "TundraBlock", targets: ["TundraBlock"]),
        .library(name: "TundraObjectStore", targets: ["TundraObjectStore"]),
        .library(name: "TundraCompaction", targets: ["TundraCompaction"]),
        .library(name: "TundraQuery", targets: ["TundraQuery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .target(name: "TundraModel", swiftSettings: strict),
        .target(name: "TundraEncoding", dependencies: ["TundraModel"], swiftSettings: strict),
        .target(name: "TundraHead", dependencies: ["TundraModel", "TundraEncoding", logging], swiftSettings: strict),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "TundraBlock", dependencies: ["TundraModel", "TundraEncoding"], swiftSettings: strict),
        .target(
            name: "TundraObjectStore", dependencies: ["TundraModel", "CCurl", "CCrypto", "CLibXML2", logging],
            swiftSettings: strict),
        .target(name: "TundraConfig", dependencies: ["TundraModel", "TundraObjectStore", yams], swiftSettings: strict),
        .target(
            name: "TundraIngest", dependencies: ["TundraModel", "TundraHead", "CSnappy", protobuf],
            exclude: ["RemoteWrite/Proto/README.md"], swiftSettings: strict),
        .target(
            name: "TundraCompaction",
            dependencies: ["TundraModel", "TundraEncoding", "TundraBlock", "TundraObjectStore", "TundraConfig", logging, metrics, prometheus, yams, nioPosix],
            swiftSettings: strict),
        .target(
            name: "TundraQuery",
            dependencies: ["TundraModel", "TundraEncoding", "TundraHead", "TundraBlock", "TundraObjectStore", "TundraCompaction", logging],
            swiftSettings: strict),
        .target(
            name: "TundraServer",
            dependencies: [
                "TundraModel", "TundraHead", "TundraIngest", "TundraBlock", "TundraObjectStore", "TundraConfig", "TundraCompaction", "TundraQuery", hummingbird, hummingbirdCore, hummingbirdTLS, serviceLifecycle, unixSignals,
                logging, metrics, prometheus, yams, httpTypes, nioCore, nioPosix, nioSSL,
            ],
            swiftSettings: strict),
        .target(
            name: "TundraCLI",
            dependencies: [
                "TundraModel", "TundraHead", "TundraIngest", "TundraBlock", "TundraObjectStore", "TundraConfig", "TundraCompaction", "TundraServer",
                argumentParser, logging, metrics,
                prometheus,
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "tundra", dependencies: ["TundraCLI"], swiftSettings: strict),
        .executableTarget(
            name: "tundra-compactor", dependencies: ["TundraCompaction", "TundraConfig", "TundraObjectStore", argumentParser, logging],
            path: "Compactor", exclude: ["deploy"], swiftSettings: strict),
        // Fuzz entry points: plain functions, driven by libFuzzer in `scripts/fuzz` and by
        // corpus replay in the tests.
        .target(name: "TundraFuzz", dependencies: ["TundraEncoding", "TundraHead", "TundraIngest"], swiftSettings: strict),

        .target(
            name: "TundraTestSupport", dependencies: ["TundraModel", "TundraIngest", protobuf], path: "Tests/TundraTestSupport",
            swiftSettings: strict),
        .testTarget(name: "TundraModelTests", dependencies: ["TundraModel", "TundraTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TundraEncodingTests",
            dependencies: ["TundraEncoding", "TundraFuzz", "TundraTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "TundraHeadTests", dependencies: ["TundraHead", "TundraTestSupport", logging], swiftSettings: strict),
        .testTarget(
            name: "TundraIngestTests", dependencies: ["TundraIngest", "TundraFuzz", "TundraTestSupport", logging, protobuf],
            resources: [.copy("Fixtures")],
            swiftSettings: strict),
        .testTarget(
            name: "TundraServerTests",
            dependencies: [
                "TundraServer", "TundraIngest", "TundraHead", "TundraBlock", "TundraObjectStore", "TundraCompaction", "TundraConfig", "TundraTestSupport", hummingbird, logging,
            ],
            swiftSettings: strict),
        .testTarget(
            name: "TundraQueryTests",
            dependencies: ["TundraQuery", "TundraHead", "TundraBlock", "TundraObjectStore", "TundraCompaction", "TundraTestSupport", logging],
            swiftSettings: strict),
        .testTarget(name: "TundraBlockTests", dependencies: ["TundraBlock", "TundraTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TundraCompactionTests",
            dependencies: ["TundraCompaction", "TundraBlock", "TundraObjectStore", "TundraEncoding", "TundraTestSupport", logging],
            swiftSettings: strict),
        .testTarget(
            name: "TundraObjectStoreTests", dependencies: ["TundraObjectStore", "TundraTestSupport", logging],
            swiftSettings: strict),
        .testTarget(
            name: "TundraEndToEndTests",
            dependencies: [
                "TundraModel", "TundraIngest", "TundraBlock", "TundraObjectStore", "TundraCompaction", "TundraTestSupport", protobuf, logging,
            ],
            swiftSettings: strict
        ),
    ]
)
