import EnvironmentKit
import Foundation
import ToolSandbox

/// One client's environment: its episode state and the rules of the protocol (no step before
/// a reset, none after the episode ended). An actor, so a session is only ever touched by one
/// request at a time, whatever task the request arrives on.
public actor EnvironmentSession {
    public nonisolated let id: String
    let environment: any Environment
    private(set) var episodeID: String?
    private(set) var stepCount = 0
    private(set) var taskID: String?
    private(set) var done = false
    private var closed = false

    public init(id: String = UUID().uuidString, environment: any Environment) {
        self.id = id
        self.environment = environment
    }

    /// Starts an episode; returns the reset payload (`observation`, `reward: null`, `done: false`).
    public func reset(_ parameters: ResetParameters) async throws(WireError) -> JSONValue {
        try ensureOpen()
        let seed = parameters.seed ?? UInt64.random(in: 0...UInt64(Int64.max))
        let observation: Observation
        do {
            observation = try await environment.reset(seed: seed, options: parameters.options)
        } catch let error as EnvironmentError {
            if case .unknownTask = error { throw WireError(.validationError, "\(error)") }
            throw WireError(.executionError, "reset failed: \(error)")
        } catch {
            throw WireError(.executionError, "reset failed: \(error)")
        }
        let task = await environment.currentTask
        episodeID = parameters.episodeID ?? UUID().uuidString
        stepCount = 0
        taskID = task?.id
        done = false
        return WireFormat.resetPayload(observation, taskID: task?.id ?? "")
    }

    /// Applies one utterance; returns the step payload. The environment itself never throws
    /// here: a malformed utterance is a format error in the observation, a broken tool is
    /// `infra_error` with `truncated: true`.
    public func step(_ action: ActionParameters) async throws(WireError) -> JSONValue {
        try ensureOpen()
        guard episodeID != nil else { throw WireError(.sessionError, "no episode yet: send {\"type\":\"reset\"} before the first step") }
        guard !done else { throw WireError(.sessionError, "the episode is over (done was true); send {\"type\":\"reset\"} to start another") }
        let result = await environment.step(action.message)
        stepCount += 1
        done = result.done
        return WireFormat.stepPayload(result)
    }

    /// `{"episode_id", "step_count", "task_id", "done"}`.
    public func state() -> JSONValue {
        WireFormat.statePayload(episodeID: episodeID, stepCount: stepCount, taskID: taskID, done: done)
    }

    /// The episode's task (for `tools/call` over a session's `mcp` messages).
    var currentTask: TaskRecord? { get async { await environment.currentTask } }

    /// Releases the environment (its Python session). Later requests get `SESSION_ERROR`.
    public func close() async {
        guard !closed else { return }
        closed = true
        await environment.close()
    }

    private func ensureOpen() throws(WireError) {
        if closed { throw WireError(.sessionError, "the session is closed (reclaimed after its idle timeout, or closed by the client); open a new connection") }
    }
}
