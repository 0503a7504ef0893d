// swift-tools-version:6.1
// TurnRL: multi-turn reinforcement learning for tool-using language agents on a CPU.
// The module map and what each target may import are in docs/ARCHITECTURE.md.
import PackageDescription

let package = Package(
    name: "TurnRL",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "turnrl", targets: ["turnrl"]),
        .executable(name: "turnrl-sandbox-launcher", targets: ["turnrl-sandbox-launcher"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Layer 0: system libraries (Debian: libopenblas-dev, libseccomp-dev, libsqlite3-dev).
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CSeccomp", path: "Sources/CSeccomp", pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),

        // Layer 1: the CPU compute core (tensors, autograd, ops over OpenBLAS, AdamW, safetensors).
        .target(name: "TensorCore", dependencies: ["CBLAS"]),

        // Layer 2: tokenizers, the GPT-2 policy, value heads, KV-cache generation.
        .target(name: "PolicyModels", dependencies: ["TensorCore", "CQuantKernels"]),

        // Quantised (Q4_1/Q8_0) dot products for batch-1 decoding; AVX2 chosen at run time.
        .target(name: "CQuantKernels"),

        // Benchmark peer: the same cblas_sgemm call as TensorCore, timed from C.
        .target(name: "CSgemmPeer", dependencies: ["CBLAS"], path: "Benchmarks/CSgemmPeer"),

        // The sandbox's C launcher (namespaces, no_new_privs, libseccomp filter, exec of the runner).
        .executableTarget(
            name: "turnrl-sandbox-launcher", path: "Sandbox/launcher",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Wno-missing-field-initializers"])],
            linkerSettings: [.linkedLibrary("seccomp")]),

        // Layer 1: the sandboxed Python executor (worker pool over Sandbox/launcher + Sandbox/runner).
        .target(name: "ToolSandbox"),

        // Layer 1: SQLite FTS5 BM25 search over local corpora.
        .target(name: "SearchIndex", dependencies: ["CSQLite"]),

        // Layer 2: the environment API, folder environments (env.yaml via Yams), registry, tools.
        .target(
            name: "EnvironmentKit",
            dependencies: ["ToolSandbox", "SearchIndex", .product(name: "Yams", package: "Yams")]),

        // Layer 3: the token-exact trajectory store (SQLite via GRDB), context builder, export.
        .target(
            name: "Trajectories",
            dependencies: ["EnvironmentKit", .product(name: "GRDB", package: "GRDB.swift")]),

        // Test helper for TrajectoriesTests' crash-safety test: a writer child the test SIGKILLs.
        .executableTarget(
            name: "turnrl-traj-crash-writer", dependencies: ["Trajectories"],
            path: "Tests/TrajectoriesCrashWriter"),

        // Layer 4: `turnrl report` — reads run folders (metrics.csv, config.yaml, summary.json),
        // renders SVG learning curves into one self-contained HTML page. Foundation only.
        .target(name: "RunReport"),

        // Layer 4: serves any environment over OpenEnv's HTTP/WebSocket protocol (Hummingbird).
        .target(
            name: "EnvServer",
            dependencies: [
                "EnvironmentKit", "ToolSandbox",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // Layer 4: the learners (policy protocol, rollouts, evaluation, BC, ArCHer, GRPO, PPO).
        .target(name: "Learners", dependencies: ["TensorCore", "PolicyModels", "EnvironmentKit", "Trajectories"]),

        // Layer 5: the command-line tool.
        .executableTarget(
            name: "turnrl",
            dependencies: [
                "CBLAS", "CSeccomp", "CSQLite", "TensorCore", "CSgemmPeer", "PolicyModels",
                "ToolSandbox", "turnrl-sandbox-launcher", "SearchIndex", "EnvironmentKit",
                "Trajectories",
                "RunReport",
                "EnvServer", .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                "Learners", .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .testTarget(name: "SystemLibrariesTests", dependencies: ["CBLAS", "CSeccomp", "CSQLite"]),
        .testTarget(name: "turnrlTests", dependencies: ["turnrl"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(
            name: "EnvServerTests",
            dependencies: [
                "EnvServer", "turnrl", "turnrl-sandbox-launcher",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]),
        .testTarget(name: "PolicyModelsTests", dependencies: ["PolicyModels"]),
        .testTarget(name: "ToolSandboxTests", dependencies: ["ToolSandbox", "turnrl", "turnrl-sandbox-launcher"]),
        .testTarget(name: "SearchIndexTests", dependencies: ["SearchIndex"]),
        .testTarget(name: "LearnersTests", dependencies: ["Learners"]),
        .testTarget(
            name: "EnvironmentKitTests",
            dependencies: ["EnvironmentKit", "turnrl", "turnrl-sandbox-launcher"]),
        .testTarget(
            name: "TrajectoriesTests",
            dependencies: [
                "Trajectories", "turnrl-traj-crash-writer", "turnrl-sandbox-launcher",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "RunReportTests", dependencies: ["RunReport"]),
    ],
    swiftLanguageModes: [.v6]
)
