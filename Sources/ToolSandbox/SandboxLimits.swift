/// Per-call limits. Each is enforced by the kernel (rlimits) or from outside the child (the
/// zygote's deadline and output cap; the pool's backstop), never by the code being limited.
public struct SandboxLimits: Codable, Sendable, Equatable {
    /// Wall-clock deadline; past it the child's process group is killed. 10 s: a generous
    /// budget for the short numpy/sympy snippets agents write (SkyRL-Gym's code tools use 10 s).
    public var timeoutSeconds: Double
    /// CPU seconds (RLIMIT_CPU): SIGXCPU at the limit, SIGKILL one second later.
    public var cpuSeconds: Int
    /// Address space the call may add on top of the warm interpreter's (RLIMIT_AS).
    /// 512 MB fits a 50M-element float64 array plus Python, and stops 4 GB allocations.
    public var memoryMB: Int
    /// Largest file the call may write (RLIMIT_FSIZE); the scratch tmpfs is capped separately.
    public var fileSizeMB: Int
    /// Open file descriptors (RLIMIT_NOFILE).
    public var openFiles: Int
    /// stdout + stderr bytes kept; past it the process group is killed and the result says so.
    public var maxOutputBytes: Int
    /// Session mode: CPU seconds for the whole session (the per-call budget is `cpuSeconds`).
    public var sessionCPUSeconds: Int

    public init(
        timeoutSeconds: Double = 10, cpuSeconds: Int = 10, memoryMB: Int = 512, fileSizeMB: Int = 16,
        openFiles: Int = 64, maxOutputBytes: Int = 1 << 20, sessionCPUSeconds: Int = 60
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.cpuSeconds = cpuSeconds
        self.memoryMB = memoryMB
        self.fileSizeMB = fileSizeMB
        self.openFiles = openFiles
        self.maxOutputBytes = maxOutputBytes
        self.sessionCPUSeconds = sessionCPUSeconds
    }

    /// The wire form the runner reads (Sandbox/runner/turnrl_protocol.py `Limits`).
    var wire: WireLimits {
        WireLimits(
            timeoutMs: Int((timeoutSeconds * 1000).rounded()), cpuSeconds: max(1, cpuSeconds),
            memoryMB: memoryMB, fileSizeMB: fileSizeMB, openFiles: openFiles,
            maxOutputBytes: maxOutputBytes, sessionCpuSeconds: sessionCPUSeconds)
    }
}

struct WireLimits: Codable, Sendable {
    var timeoutMs: Int
    var cpuSeconds: Int
    var memoryMB: Int
    var fileSizeMB: Int
    var openFiles: Int
    var maxOutputBytes: Int
    var sessionCpuSeconds: Int
}
