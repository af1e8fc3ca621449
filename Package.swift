// swift-tools-version: 6.1
import PackageDescription

/// Compiler settings shared by every target (as Hummingbird does): Swift 6 mode plus the upcoming features that
/// keep dependencies explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardCore", targets: ["SwitchyardCore"]),
        .library(name: "SwitchyardStore", targets: ["SwitchyardStore"]),
        .library(name: "SwitchyardPostgres", targets: ["SwitchyardPostgres"]),
        .library(name: "SwitchyardProviders", targets: ["SwitchyardProviders"]),
        .library(name: "SwitchyardSettings", targets: ["SwitchyardSettings"]),
        .library(name: "SwitchyardServer", targets: ["SwitchyardServer"]),
        .library(name: "SwitchyardTesting", targets: ["SwitchyardTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // SHA-256 of users' API keys. Already in the graph through AsyncHTTPClient's swift-certificates, which accepts
        // 3.12.3..<6.0.0 (4.x resolves today); the same range, because `from: "3.12.3"` would force a downgrade to 3.x.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"6.0.0"),
    ],
    targets: [
        // Routing: providers protocol, breaker, retries, limits, balancing, policy, queue, events. No I/O framework.
        .target(
            name: "SwitchyardCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Configuration keys declared once: reading YAML with checked values and located errors, writing it back,
        // and the reference. Each target declares the keys of its own types with it.
        .target(
            name: "SwitchyardSettings",
            dependencies: ["SwitchyardCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The SQLite ledger: migrations, event recording, budgets, reports, read-only SQL.
        .target(
            name: "SwitchyardStore",
            dependencies: [
                "SwitchyardCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedMigrations"]
        ),
        // The PostgreSQL ledger, for several instances sharing budgets and history: the same seams as the SQLite
        // store (event sink, budgets, keys, breakers, reports, read-only SQL), migrations from `migrations/postgres/`.
        .target(
            name: "SwitchyardPostgres",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedMigrations"]
        ),
        // Real providers over HTTP: OpenAI-compatible, Anthropic, Gemini.
        .target(
            name: "SwitchyardProviders",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardSettings",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP service: config, OpenAI-compatible API, admin and report API, metrics, lifecycle.
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardStore",
                "SwitchyardPostgres",
                "SwitchyardProviders",
                "SwitchyardSettings",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The dashboard's page, embedded as bytes like the migrations: the binary serves it with no files beside it.
            resources: [
                .embedInCode("Dashboard/dashboard.html"), .embedInCode("Dashboard/dashboard.css"),
                .embedInCode("Dashboard/dashboard.js"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `switchyard` command line.
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardStore",
                "SwitchyardProviders",
                "SwitchyardServer",
                "SwitchyardSettings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test doubles shared by the test targets and the benchmarks: manual clock, seeded random, fakes.
        .target(
            name: "SwitchyardTesting",
            dependencies: ["SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        // Embeds `migrations/*.sql` into generated Swift so a copied-out binary can still migrate a new database.
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["EmbedMigrationsTool"]),
        .executableTarget(name: "EmbedMigrationsTool", path: "Plugins/EmbedMigrationsTool"),
        // The load benchmark's fake upstream and bare passthrough proxy (scripts/load-benchmark). In this package,
        // not in Benchmarks/, so that the build of the tests builds them and CI's smoke run costs no extra build.
        .executableTarget(
            name: "FakeUpstream",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tools/FakeUpstream"
        ),
        .executableTarget(
            name: "PassthroughFloor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tools/PassthroughFloor"
        ),

        .testTarget(
            name: "SwitchyardCoreTests",
            dependencies: ["SwitchyardCore", "SwitchyardTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardStoreTests",
            dependencies: [
                "SwitchyardStore", "SwitchyardPostgres", "SwitchyardCore", "SwitchyardTesting",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardProvidersTests",
            dependencies: [
                "SwitchyardSettings",
                "SwitchyardProviders", "SwitchyardCore", "SwitchyardTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardSettings",
                "SwitchyardServer", "SwitchyardCore", "SwitchyardTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the built `switchyard` executable as a subprocess against temporary databases.
        .testTarget(
            name: "SwitchyardCLITests",
            dependencies: [
                "switchyard", "SwitchyardServer", "SwitchyardSettings", "SwitchyardStore", "SwitchyardCore", "SwitchyardTesting"],
            swiftSettings: swiftSettings
        ),
        // The end-to-end reliability suite: the built `switchyard serve` binary against fake upstreams on real sockets
        // and a real SQLite file, under upstream faults, client hang-ups, crashes, ledger faults and hostile input.
        .testTarget(
            name: "SwitchyardReliabilityTests",
            dependencies: [
                "switchyard",
                "SwitchyardTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["figures.sh"],
            swiftSettings: swiftSettings
        ),
    ]
)
