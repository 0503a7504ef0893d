/// One persistent child in a pool's worker: variables, imports and files in its scratch dir
/// survive between calls, as in a notebook. Every call runs under the session's limits (CPU
/// per call, a CPU budget for the whole session, memory, files, output, wall-clock deadline).
/// A call that hits the deadline or the output cap ends the session (`result.sessionEnded`).
public struct SandboxSession: Sendable {
    /// The runner's id for this session (unique within its worker).
    public let id: String
    let pool: SandboxPool
    let slot: Int
    let generation: Int
    /// The limits fixed when the session was opened.
    public let limits: SandboxLimits

    /// Runs `code` in the session's namespace.
    public func run(code: String, timeoutSeconds: Double? = nil) async throws -> SandboxResult {
        try await pool.runInSession(self, codeBytes: Array(code.utf8), timeoutSeconds: timeoutSeconds)
    }

    /// Runs raw source bytes in the session's namespace.
    public func run(codeBytes: [UInt8], timeoutSeconds: Double? = nil) async throws -> SandboxResult {
        try await pool.runInSession(self, codeBytes: codeBytes, timeoutSeconds: timeoutSeconds)
    }

    /// Whether the session can still run code.
    public var isOpen: Bool {
        get async { await pool.isAlive(self) }
    }

    /// Ends the session's child and removes its scratch dir. Closing twice is harmless.
    public func close() async {
        await pool.closeSession(self)
    }
}
