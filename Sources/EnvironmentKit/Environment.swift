import ToolSandbox

/// How an episode starts: which split, and optionally a fixed task.
public struct ResetOptions: Sendable, Equatable {
    public var split: Split
    /// Play this task instead of the one the seed picks.
    public var taskID: String?

    public init(split: Split = .train, taskID: String? = nil) {
        self.split = split
        self.taskID = taskID
    }
}

/// The fixed facts of an environment a policy or trainer needs besides reset/step.
public struct EnvironmentSpec: Sendable, Equatable {
    public var name: String
    public var version: String
    public var description: String
    /// The system message of every episode (tells the model the action format and tools).
    public var systemPrompt: String
    /// The tools the model may call.
    public var tools: [ToolDescriptor]
    public var actionFormat: ActionFormatKind
    /// Turns before `TimeLimit` truncates (nil: no limit).
    public var maxTurns: Int?
    /// The context budget and compaction mode for the trajectory layer.
    public var context: ContextSettings
    /// Whether a wrong final answer ends the episode (default) or the policy keeps going.
    public var wrongAnswer: WrongAnswer

    public init(
        name: String, version: String = "1.0.0", description: String = "", systemPrompt: String = "",
        tools: [ToolDescriptor] = [], actionFormat: ActionFormatKind = .tags, maxTurns: Int? = nil,
        context: ContextSettings = ContextSettings(), wrongAnswer: WrongAnswer = .end
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.systemPrompt = systemPrompt
        self.tools = tools
        self.actionFormat = actionFormat
        self.maxTurns = maxTurns
        self.context = context
        self.wrongAnswer = wrongAnswer
    }
}

/// What a wrong final answer does (`wrong_answer:` in env.yaml). "Right" is the verifier's
/// verdict: its `_success` metric when it gives one, else a reward > 0.
public enum WrongAnswer: String, Sendable, Equatable, CaseIterable, Codable {
    /// Every answer ends the episode (`terminated`), right or wrong: one answer per episode.
    case end
    /// Only a right answer ends the episode. A wrong one is scored like any turn (the verifier's
    /// components plus `reward.per_turn`), shown as `<result name="answer">wrong</result>`, and
    /// the policy keeps acting until it is right or the turn limit truncates the episode:
    /// twenty questions as in ArCHer (Zhou et al. 2024), −1 per turn and 0 on the right guess.
    case `continue`
}

/// The policy's context window and what happens when the history outgrows it (read by the
/// trajectory layer; the environment itself never compacts).
public struct ContextSettings: Sendable, Equatable {
    public enum Compaction: String, Sendable, Equatable, CaseIterable { case none, truncate, summary }
    /// Tokens of context the policy has. 2048: the reference policy's window.
    public var budgetTokens: Int
    public var compaction: Compaction
    /// Fraction of the budget that triggers a summary turn (SUPO, Lu et al. 2025, uses ~0.75).
    public var summaryThreshold: Double
    /// Turns kept verbatim after a summary.
    public var keepLastTurns: Int
    /// Worked examples (few-shot prompting): whole conversations — a task, the replies and the
    /// observations — shown as real chat turns between the system prompt and the episode's task.
    /// They count against the budget and are never compacted. Empty by default; `turnrl train
    /// --set fewShot=N` and `turnrl eval/play --few-shot N` fill them from expert episodes.
    public var examples: [ChatMessage]

    public init(
        budgetTokens: Int = 2048, compaction: Compaction = .none, summaryThreshold: Double = 0.75, keepLastTurns: Int = 0,
        examples: [ChatMessage] = []
    ) {
        self.budgetTokens = budgetTokens
        self.compaction = compaction
        self.summaryThreshold = summaryThreshold
        self.keepLastTurns = keepLastTurns
        self.examples = examples
    }

    /// The conversation a policy sees: the episode's system message, the worked examples, then
    /// the rest of the episode's messages.
    public func withExamples(_ episode: [ChatMessage]) -> [ChatMessage] {
        guard !examples.isEmpty else { return episode }
        guard let first = episode.first, first.role == .system else { return examples + episode }
        return [first] + examples + episode.dropFirst()
    }
}

/// A multi-turn environment, Gymnasium-style: `reset` starts an episode deterministically for
/// (environment, task, seed); `step` takes the policy's whole utterance and never throws — a
/// malformed utterance is a format error in the observation, a broken tool or verifier is
/// `info.infraError`.
///
/// Environments are actors: one episode at a time per instance; make one instance per
/// concurrent rollout.
public protocol Environment: Actor {
    /// Name, prompts, tools, limits.
    nonisolated var spec: EnvironmentSpec { get }
    /// Starts an episode: picks the task from `seed` (or `options.taskID`) and returns the first
    /// observation (the task prompt). Throws only for infrastructure problems or unknown tasks.
    func reset(seed: UInt64, options: ResetOptions) async throws -> Observation
    /// Applies one utterance: parses it, runs its tool calls, verifies an answer.
    func step(_ utterance: String) async -> StepResult
    /// Exactly what the model sees now: the system prompt, then every message of the episode.
    var messages: [ChatMessage] { get async }
    /// The task of the current episode (nil before the first reset).
    var currentTask: TaskRecord? { get async }
    /// Ends the current episode early and releases its resources (a Python session).
    func close() async
}

extension Environment {
    /// `reset` with the default options (train split, task picked by the seed).
    public func reset(seed: UInt64) async throws -> Observation {
        try await reset(seed: seed, options: ResetOptions())
    }
}
