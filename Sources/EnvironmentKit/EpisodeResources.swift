import ToolSandbox

/// Per-episode state shared by the episode's tools: the persistent Python session (opened on
/// the first `python` call, so episodes that never run code cost nothing), closed at episode end.
public actor EpisodeResources {
    private var session: SandboxSession?
    private var sessionPool: SandboxPool?
    /// Times the session had to be reopened because a call ended it (a limit was hit).
    public private(set) var sessionRestarts = 0

    public init() {}

    /// The episode's session in `pool`, opened now if there is none or the last one ended.
    /// Returns whether it was (re)started for this call after an earlier one ended.
    func pythonSession(in pool: SandboxPool) async throws -> (session: SandboxSession, restarted: Bool) {
        if let session, sessionPool === pool {
            if await session.isOpen { return (session, false) }
            sessionRestarts += 1
            self.session = nil
            let fresh = try await pool.openSession()
            self.session = fresh
            return (fresh, true)
        }
        let fresh = try await pool.openSession()
        session = fresh
        sessionPool = pool
        return (fresh, false)
    }

    /// Closes the Python session, if one is open.
    public func close() async {
        if let session { await session.close() }
        session = nil
        sessionPool = nil
    }
}
