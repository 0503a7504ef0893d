/// Gymnasium-style wrappers: behaviour that changes an environment without being part of it.
/// Each wraps any `Environment` and is one itself, so they compose:
/// `ObservationCap(TimeLimit(env, maxTurns: 6), maxCharacters: 4000)`.

/// An environment that wraps another: everything it does not override goes to `inner`.
public protocol EnvironmentWrapper: Environment {
    var inner: any Environment { get }
}

extension EnvironmentWrapper {
    public func reset(seed: UInt64, options: ResetOptions) async throws -> Observation {
        try await inner.reset(seed: seed, options: options)
    }

    public var messages: [ChatMessage] { get async { await inner.messages } }
    public var currentTask: TaskRecord? { get async { await inner.currentTask } }
    public func close() async { await inner.close() }
}

/// Truncates the episode after `maxTurns` steps (`truncated = true`, `info.truncatedBy`).
public actor TimeLimit: EnvironmentWrapper {
    public let inner: any Environment
    public let maxTurns: Int
    public nonisolated let spec: EnvironmentSpec
    private var turns = 0

    public init(_ inner: any Environment, maxTurns: Int) {
        self.inner = inner
        self.maxTurns = max(1, maxTurns)
        var spec = inner.spec
        spec.maxTurns = self.maxTurns
        self.spec = spec
    }

    public func reset(seed: UInt64, options: ResetOptions) async throws -> Observation {
        turns = 0
        return try await inner.reset(seed: seed, options: options)
    }

    public func step(_ utterance: String) async -> StepResult {
        var result = await inner.step(utterance)
        turns += 1
        if !result.done && turns >= maxTurns {
            result.truncated = true
            result.info.truncatedBy = "TimeLimit(\(maxTurns))"
            await inner.close()
        }
        return result
    }
}

/// Caps the whole observation of every step at `maxCharacters`, saying how much was cut.
public actor ObservationCap: EnvironmentWrapper {
    public let inner: any Environment
    public let maxCharacters: Int
    public nonisolated var spec: EnvironmentSpec { inner.spec }

    public init(_ inner: any Environment, maxCharacters: Int) {
        self.inner = inner
        self.maxCharacters = max(1, maxCharacters)
    }

    public func step(_ utterance: String) async -> StepResult {
        var result = await inner.step(utterance)
        let (text, cut) = ToolEnvironment.cap(result.observation.text, to: maxCharacters)
        result.observation.text = text
        result.info.observationCutCharacters += cut
        return result
    }
}

/// Adds reward components computed from each step (e.g. a length penalty); the step's reward
/// is recomputed as the sum of all components.
public actor RewardShaping: EnvironmentWrapper {
    public let inner: any Environment
    public let shaping: @Sendable (StepResult) -> [RewardComponent]
    public nonisolated var spec: EnvironmentSpec { inner.spec }

    public init(_ inner: any Environment, shaping: @escaping @Sendable (StepResult) -> [RewardComponent]) {
        self.inner = inner
        self.shaping = shaping
    }

    public func step(_ utterance: String) async -> StepResult {
        var result = await inner.step(utterance)
        let extra = shaping(result)
        result.info.rewardComponents += extra
        result.reward += rewardTotal(extra)
        return result
    }
}
