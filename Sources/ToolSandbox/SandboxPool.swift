import Dispatch
import Foundation

/// A pool of sandbox workers that runs untrusted Python: stateless calls (a fresh child per
/// call), sessions (one persistent child per episode), and an environment's Python tools.
///
/// Each worker is a launcher + zygote pair serving one call at a time; a call waits for a free
/// worker. A worker that dies or stops answering is killed and restarted in the background.
public actor SandboxPool {
    public nonisolated let configuration: SandboxConfiguration
    /// What the first worker reported: Python version, isolation layers, preloaded modules, tools.
    public private(set) var hello: WorkerHello

    private struct Slot {
        var worker: WorkerProcess?
        var busy = false
        /// Bumped on every (re)start; a session is valid only in the generation it was opened in.
        var generation = 0
        var sessions: Set<String> = []
    }

    private struct Waiter {
        let slot: Int?
        let continuation: CheckedContinuation<Int, Never>
    }

    private var slots: [Slot]
    private var waiters: [Waiter] = []
    private var nextRequestID = 1
    private var closed = false
    private var restarts = 0

    /// Starts every worker (in parallel) and checks that the isolation this machine offers is
    /// enough: without seccomp the pool refuses unless `allowUnsandboxed` is set.
    public init(configuration: SandboxConfiguration) async throws {
        try configuration.validate()
        self.configuration = configuration
        let workers = try await withThrowingTaskGroup(of: (Int, WorkerProcess).self) { group in
            for index in 0..<configuration.workers {
                group.addTask { (index, try await offload { try WorkerProcess.start(configuration: configuration, index: index) }) }
            }
            var started: [(Int, WorkerProcess)] = []
            for try await entry in group { started.append(entry) }
            return started.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let hello = workers[0].hello!
        if !configuration.allowUnsandboxed {
            let missing = IsolationLayer.required.filter { !hello.layers.contains($0.rawValue) }
            if !missing.isEmpty {
                workers.forEach { $0.kill() }
                let why = hello.probe.map { "the probe call failed: \($0)" } ?? "layers missing: \(missing.map(\.rawValue).joined(separator: ", "))"
                throw SandboxError.seccompUnavailable(detail: why)
            }
        }
        self.hello = hello
        self.slots = workers.map { Slot(worker: $0, generation: 1) }
    }

    /// Stops every worker and removes their scratch dirs. Calls after this throw `.poolClosed`.
    public func shutdown() {
        closed = true
        for index in slots.indices {
            slots[index].worker?.kill()
            slots[index].worker = nil
        }
        for waiter in waiters { waiter.continuation.resume(returning: -1) }
        waiters.removeAll()
    }

    /// Runs `code` in a fresh, isolated child. Nothing it does survives the call.
    public func run(code: String, limits: SandboxLimits? = nil) async throws -> SandboxResult {
        try await run(codeBytes: Array(code.utf8), limits: limits)
    }

    /// Runs raw source bytes (which may be invalid UTF-8: Python's compiler reports that).
    public func run(codeBytes: [UInt8], limits: SandboxLimits? = nil) async throws -> SandboxResult {
        if let refusal = refuseOversized(codeBytes.count) { return refusal }
        let limits = limits ?? configuration.defaultLimits
        let request = WireRequest(id: 0, op: "run", code: Data(codeBytes).base64EncodedString(), limits: limits.wire)
        return try await perform(request, slot: nil, limits: limits).result
    }

    /// Calls one of the environment's Python tools (`SandboxConfiguration.toolsFile`) with JSON
    /// arguments, in a fresh isolated child. The tool's return value is `result.value`.
    public func callTool(name: String, arguments: [String: JSONValue], limits: SandboxLimits? = nil) async throws -> SandboxResult {
        let limits = limits ?? configuration.defaultLimits
        let request = WireRequest(id: 0, op: "tool", limits: limits.wire, name: name, arguments: arguments)
        return try await perform(request, slot: nil, limits: limits).result
    }

    /// JSON schemas (`name`, `description`, `parameters`) of the environment's Python tools.
    public var toolSchemas: [JSONValue] { hello.tools }

    /// Opens a session: one persistent child whose variables survive between calls, under the
    /// same limits (per call) and isolation. Close it when the episode ends.
    public func openSession(limits: SandboxLimits? = nil) async throws -> SandboxSession {
        let limits = limits ?? configuration.defaultLimits
        let request = WireRequest(id: 0, op: "sessionOpen", limits: limits.wire)
        let (result, raw, slot, generation) = try await perform(request, slot: nil, limits: limits)
        guard let id = raw?.session else {
            throw SandboxError.workerStartFailed(reason: "the session did not start: \(result.error ?? "unknown")", log: result.stderr)
        }
        if slots[slot].generation == generation { slots[slot].sessions.insert(id) }
        return SandboxSession(id: id, pool: self, slot: slot, generation: generation, limits: limits)
    }

    func runInSession(_ session: SandboxSession, codeBytes: [UInt8], timeoutSeconds: Double?) async throws -> SandboxResult {
        guard isAlive(session) else { throw SandboxError.sessionEnded(id: session.id) }
        if let refusal = refuseOversized(codeBytes.count) { return refusal }
        var limits = session.limits
        if let timeoutSeconds { limits.timeoutSeconds = timeoutSeconds }
        let request = WireRequest(
            id: 0, op: "sessionRun", code: Data(codeBytes).base64EncodedString(), limits: limits.wire, session: session.id)
        let (result, _, _, _) = try await perform(request, slot: session.slot, limits: limits, session: session)
        if result.sessionEnded { forget(session) }
        return result
    }

    func closeSession(_ session: SandboxSession) async {
        guard isAlive(session) else { return }
        let request = WireRequest(id: 0, op: "sessionClose", limits: session.limits.wire, session: session.id)
        _ = try? await perform(request, slot: session.slot, limits: session.limits, session: session)
        forget(session)
    }

    /// Whether the session's child is still there (its worker was not restarted meanwhile).
    func isAlive(_ session: SandboxSession) -> Bool {
        slots.indices.contains(session.slot) && slots[session.slot].generation == session.generation
            && slots[session.slot].sessions.contains(session.id)
    }

    private func forget(_ session: SandboxSession) {
        if slots[session.slot].generation == session.generation { slots[session.slot].sessions.remove(session.id) }
    }

    /// CPU seconds used so far by every worker's runner and the children it reaped (each
    /// worker is asked in turn, between calls). `turnrl bench sandbox` divides it by calls.
    public func runnerCPUSeconds() async throws -> Double {
        struct Stats: Decodable { let cpuSeconds: Double }
        var total = 0.0
        for slot in slots.indices {
            let request = WireRequest(id: 0, op: "stats")
            let (_, raw, _, _) = try await perform(request, slot: slot, limits: configuration.defaultLimits, rawBody: true)
            guard let body = raw?.body, let stats = try? JSONDecoder().decode(Stats.self, from: body) else {
                throw SandboxError.protocolViolation("worker \(slot) did not report its CPU time")
            }
            total += stats.cpuSeconds
        }
        return total
    }

    /// Launcher pids, for tests that kill a worker from outside.
    func workerProcessIDs() -> [Int32] { slots.map { $0.worker?.pid ?? 0 } }

    /// How many times a worker was restarted after dying or hanging.
    public var restartCount: Int { restarts }

    /// The isolation layers the workers run with.
    public var layers: [String] { hello.layers }

    // MARK: - Checkout and exchange

    private struct RawResponse: Decodable {
        var session: String?
        /// The whole reply, for ops whose answer is not a `SandboxResult`.
        var body: Data?

        enum CodingKeys: String, CodingKey { case session }
    }

    private func refuseOversized(_ count: Int) -> SandboxResult? {
        guard count > configuration.maxCodeBytes else { return nil }
        return .failure("code is \(count) bytes, over the \(configuration.maxCodeBytes)-byte limit (SandboxConfiguration.maxCodeBytes); nothing was run")
    }

    private func perform(
        _ request: WireRequest, slot preferred: Int?, limits: SandboxLimits, session: SandboxSession? = nil,
        rawBody: Bool = false
    ) async throws -> (result: SandboxResult, raw: RawResponse?, slot: Int, generation: Int) {
        let slot = await acquire(preferred)
        guard slot >= 0, !closed else { throw SandboxError.poolClosed }
        if let session, !isAlive(session) {
            release(slot)
            throw SandboxError.sessionEnded(id: session.id)
        }
        guard let worker = slots[slot].worker else {
            release(slot)
            throw SandboxError.poolClosed
        }
        let generation = slots[slot].generation
        var request = request
        request.id = nextRequestID
        nextRequestID += 1
        let body = try JSONEncoder().encode(request)
        // The zygote enforces the deadline; this backstop only fires when the zygote itself hangs.
        let deadline = ContinuousClock.now + .seconds(limits.timeoutSeconds + configuration.backstopGraceSeconds)
        do {
            let reply = try await offload { try worker.exchange(body, deadline: deadline) }
            let result = try JSONDecoder().decode(SandboxResult.self, from: reply)
            var raw = request.op == "sessionOpen" ? try? JSONDecoder().decode(RawResponse.self, from: reply) : nil
            if rawBody { raw = RawResponse(session: nil, body: reply) }
            release(slot)
            return (result, raw, slot, generation)
        } catch {
            let failure = failureResult(error, worker: worker, limits: limits)
            worker.kill()
            slots[slot].worker = nil
            slots[slot].sessions.removeAll()
            restartInBackground(slot)
            return (failure, nil, slot, generation)
        }
    }

    private func failureResult(_ error: Error, worker: WorkerProcess, limits: SandboxLimits) -> SandboxResult {
        if case WorkerProcess.IOFailure.timedOut = error {
            return .failure(
                "the sandbox worker did not answer within \(limits.timeoutSeconds + configuration.backstopGraceSeconds) s; it was killed and is being restarted",
                timedOut: true, sessionEnded: true)
        }
        return .failure(
            "the sandbox worker failed during the call (\(error)); it is being restarted. Worker log: \(worker.logTail(maxBytes: 500))",
            sessionEnded: true)
    }

    private func restartInBackground(_ slot: Int) {
        restarts += 1
        let configuration = configuration
        Task {
            // Keep the slot checked out until the new worker is ready.
            var delay = 0.05
            while !self.isClosed {
                if let worker = try? await offload({ try WorkerProcess.start(configuration: configuration, index: slot) }) {
                    self.install(worker, at: slot)
                    return
                }
                try? await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 5)
            }
        }
    }

    private var isClosed: Bool { closed }

    private func install(_ worker: WorkerProcess, at slot: Int) {
        if closed {
            worker.kill()
            return
        }
        slots[slot].worker = worker
        slots[slot].generation += 1
        slots[slot].sessions.removeAll()
        release(slot)
    }

    /// A free slot (the given one, for sessions), waiting in FIFO order when all are busy.
    private func acquire(_ preferred: Int?) async -> Int {
        if closed { return -1 }
        if let preferred {
            if !slots[preferred].busy {
                slots[preferred].busy = true
                return preferred
            }
        } else if let free = slots.indices.first(where: { !slots[$0].busy }) {
            slots[free].busy = true
            return free
        }
        return await withCheckedContinuation { continuation in
            waiters.append(Waiter(slot: preferred, continuation: continuation))
        }
    }

    private func release(_ slot: Int) {
        if let index = waiters.firstIndex(where: { $0.slot == nil || $0.slot == slot }) {
            let waiter = waiters.remove(at: index)
            waiter.continuation.resume(returning: slot)  // the slot stays busy: handed over
        } else {
            slots[slot].busy = false
        }
    }
}

/// Runs blocking work (pipe I/O, process start) on a GCD thread, off Swift's cooperative pool.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
