// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// A path dependency is known by its folder's name, which depends on where the repository was cloned.
let switchyard = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

// Micro-benchmarks, kept out of the main package so `swift test` never builds the benchmark harness.
// Run from this folder: `swift package --allow-writing-to-package-directory benchmark`
// (or `swift package benchmark --target RoutingBenchmarks`).
let package = Package(
    name: "SwitchyardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RoutingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchyardCore", package: switchyard),
                .product(name: "SwitchyardTesting", package: switchyard),
            ],
            path: "Benchmarks/RoutingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Loops the router for `perf record` / `valgrind --tool=callgrind` (see docs/benchmarks.md).
        .executableTarget(
            name: "RoutingProfile",
            dependencies: [
                .product(name: "SwitchyardCore", package: switchyard),
                .product(name: "SwitchyardTesting", package: switchyard),
            ],
            path: "Benchmarks/RoutingProfile"
        ),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchyardCore", package: switchyard),
                .product(name: "SwitchyardStore", package: switchyard),
                .product(name: "SwitchyardPostgres", package: switchyard),
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
