import Foundation

/// How a `SandboxPool` starts its workers.
public struct SandboxConfiguration: Sendable {
    /// Full path of the Python interpreter the zygote runs (the sandbox's own environment,
    /// `$TURNRL_HOME/sandbox-venv/bin/python3`, which setup creates with numpy and sympy).
    public var python: String
    /// The C launcher (`turnrl-sandbox-launcher`, built next to `turnrl`).
    public var launcher: String
    /// The zygote script (`Sandbox/runner/zygote.py`).
    public var runner: String
    /// Workers, each one zygote serving one call at a time. Default: one per core, since a call
    /// is CPU-bound and single-threaded (BLAS is pinned to one thread).
    public var workers: Int
    /// Enter user/PID/network/mount/IPC namespaces where the kernel allows (each reported).
    public var namespaces: Bool
    /// Run even when the seccomp filter cannot be applied. Off by default: then the pool
    /// refuses to start and says why.
    public var allowUnsandboxed: Bool
    /// Limits for calls that do not pass their own.
    public var defaultLimits: SandboxLimits
    /// Size of each worker's scratch tmpfs, in MB (inside its mount namespace).
    public var scratchMB: Int
    /// Where workers' scratch dirs and logs live on the host (removed at shutdown).
    public var workDirectory: URL
    /// A Python file whose public, type-hinted functions become tools (`callTool`).
    public var toolsFile: String?
    /// Code larger than this is refused before it is sent (10 MB of code must still work).
    public var maxCodeBytes: Int
    /// How long the pool waits past a call's own deadline before it kills the whole worker:
    /// the zygote enforces the deadline; this is the backstop for a zygote that stopped answering.
    public var backstopGraceSeconds: Double
    /// How long a worker may take to start (importing numpy and sympy on a loaded machine).
    public var startupTimeoutSeconds: Double

    public init(
        python: String, launcher: String, runner: String,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, namespaces: Bool = true,
        allowUnsandboxed: Bool = false, defaultLimits: SandboxLimits = SandboxLimits(), scratchMB: Int = 64,
        workDirectory: URL = FileManager.default.temporaryDirectory, toolsFile: String? = nil,
        maxCodeBytes: Int = 16 << 20, backstopGraceSeconds: Double = 3, startupTimeoutSeconds: Double = 120
    ) {
        self.python = python
        self.launcher = launcher
        self.runner = runner
        self.workers = max(1, workers)
        self.namespaces = namespaces
        self.allowUnsandboxed = allowUnsandboxed
        self.defaultLimits = defaultLimits
        self.scratchMB = scratchMB
        self.workDirectory = workDirectory
        self.toolsFile = toolsFile
        self.maxCodeBytes = maxCodeBytes
        self.backstopGraceSeconds = backstopGraceSeconds
        self.startupTimeoutSeconds = startupTimeoutSeconds
    }

    /// A configuration with the launcher and runner found by `SandboxLocator`.
    public static func located(
        python: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SandboxConfiguration {
        SandboxConfiguration(
            python: python, launcher: try SandboxLocator.launcher(environment: environment),
            runner: try SandboxLocator.runner(environment: environment))
    }

    /// Checks that every file exists before any process is started.
    func validate() throws {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: python) else {
            throw SandboxError.missingComponent(
                what: "the sandbox's Python interpreter", path: python,
                fix: "run `bash .ci/setup` (it creates $TURNRL_HOME/sandbox-venv with numpy and sympy), or set TURNRL_PYTHON")
        }
        guard fm.isExecutableFile(atPath: launcher) else {
            throw SandboxError.missingComponent(
                what: "turnrl-sandbox-launcher", path: launcher,
                fix: "build it with `swift build -c release --product turnrl-sandbox-launcher`, or set TURNRL_SANDBOX_LAUNCHER")
        }
        guard fm.fileExists(atPath: runner) else {
            throw SandboxError.missingComponent(
                what: "the sandbox runner (zygote.py)", path: runner,
                fix: "set TURNRL_SANDBOX_RUNNER to Sandbox/runner/zygote.py of a TurnRL checkout")
        }
        if let toolsFile, !fm.fileExists(atPath: toolsFile) {
            throw SandboxError.missingComponent(what: "the tools file", path: toolsFile, fix: "check the environment's manifest")
        }
    }
}

/// Finds the sandbox's non-Swift parts: the launcher binary and the runner script.
public enum SandboxLocator {
    /// `$TURNRL_SANDBOX_LAUNCHER`, else `turnrl-sandbox-launcher` next to the running executable
    /// (SwiftPM builds both into the same directory).
    public static func launcher(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let path = environment["TURNRL_SANDBOX_LAUNCHER"], !path.isEmpty { return path }
        let candidate = executableDirectory().appendingPathComponent("turnrl-sandbox-launcher").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw SandboxError.missingComponent(
                what: "turnrl-sandbox-launcher", path: candidate,
                fix: "build it with `swift build -c release --product turnrl-sandbox-launcher`, or set TURNRL_SANDBOX_LAUNCHER")
        }
        return candidate
    }

    /// `$TURNRL_SANDBOX_RUNNER`, else `Sandbox/runner/zygote.py` of the checkout this binary was
    /// built from (the runner is Python source; it is read from the tree, not copied).
    public static func runner(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let path = environment["TURNRL_SANDBOX_RUNNER"], !path.isEmpty { return path }
        let candidate = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sandbox/runner/zygote.py").path
        guard FileManager.default.fileExists(atPath: candidate) else {
            throw SandboxError.missingComponent(
                what: "the sandbox runner (zygote.py)", path: candidate,
                fix: "set TURNRL_SANDBOX_RUNNER to Sandbox/runner/zygote.py of a TurnRL checkout")
        }
        return candidate
    }

    static func executableDirectory() -> URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent()
    }
}
