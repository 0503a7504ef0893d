import ToolSandbox

/// Who wrote a chat message (the chat-messages form other trainers read).
public enum ChatRole: String, Codable, Sendable, Equatable {
    case system, user, assistant, tool
}

/// One message of the conversation a policy sees.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var role: ChatRole
    public var content: String

    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }

    /// The JSON form handed to Python (`verify.py`, `expert.py`): `{"role", "content"}`.
    public var json: JSONValue { .object(["role": .string(role.rawValue), "content": .string(content)]) }
}

/// What the policy sees after `reset` (the task, as a user message) or after a `step` (tool
/// results or a format error, as a tool message).
public struct Observation: Codable, Sendable, Equatable {
    /// The text appended to the conversation.
    public var text: String
    /// The role it is appended with: `.user` after reset, `.tool` after a step.
    public var role: ChatRole

    public init(text: String, role: ChatRole) {
        self.text = text
        self.role = role
    }
}

/// One named part of a reward (e.g. `format_penalty`, `per_turn`, `correct`), so multi-part
/// rewards stay visible; the step's reward is their sum.
public struct RewardComponent: Codable, Sendable, Equatable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// A tool call as the action format parsed it.
public struct ToolCall: Codable, Sendable, Equatable {
    public var name: String
    public var arguments: [String: JSONValue]

    public init(name: String, arguments: [String: JSONValue]) {
        self.name = name
        self.arguments = arguments
    }
}

/// A tool call with what it returned and how long it took.
public struct ToolCallRecord: Codable, Sendable, Equatable {
    public var call: ToolCall
    /// The full output (before the observation cap).
    public var output: String
    /// The call was wrong (bad arguments, code that raised): the model's mistake, shown to it.
    public var isError: Bool
    /// Wall-clock time of the call, milliseconds.
    public var durationMs: Double

    public init(call: ToolCall, output: String, isError: Bool, durationMs: Double) {
        self.call = call
        self.output = output
        self.isError = isError
        self.durationMs = durationMs
    }
}

/// Everything a step knows besides the observation and reward.
public struct StepInfo: Codable, Sendable, Equatable {
    /// Turn number of this step (1 = the first utterance).
    public var turn: Int = 0
    /// The task of the episode.
    public var taskID: String = ""
    /// Parsed tool calls with results and durations, in order.
    public var toolCalls: [ToolCallRecord] = []
    /// Why the utterance could not be parsed (the observation says the same to the model).
    public var formatError: String?
    /// The final answer, when the utterance gave one.
    public var answer: String?
    /// Whether the answer succeeded (answer turns only): the verifier's `_success` metric when
    /// it gives one, else whether its reward is > 0. With `wrong_answer: continue` a `false`
    /// here does not end the episode.
    public var success: Bool?
    /// Named reward components; `StepResult.reward` is their sum, except metrics whose names
    /// start with `_` (e.g. `_success`), which are reported but not rewarded.
    public var rewardComponents: [RewardComponent] = []
    /// A tool or the verifier broke (not the model's fault): the episode is marked as an
    /// infrastructure failure and must not be scored as a plain 0 by learners or evaluation.
    public var infraError: String?
    /// Characters cut from the observation by the observation cap (0 = nothing cut).
    public var observationCutCharacters: Int = 0
    /// Set by `TimeLimit` when it truncated the episode.
    public var truncatedBy: String?

    public init() {}
}

/// What `step` returns (Gymnasium's 5-tuple, with `info` typed).
public struct StepResult: Codable, Sendable, Equatable {
    public var observation: Observation
    public var reward: Double
    /// The episode ended by itself (an answer was given; with `wrong_answer: continue` only a
    /// right one).
    public var terminated: Bool
    /// The episode was cut from outside (turn limit) or by an infrastructure failure.
    public var truncated: Bool
    public var info: StepInfo

    public init(observation: Observation, reward: Double, terminated: Bool, truncated: Bool, info: StepInfo) {
        self.observation = observation
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
        self.info = info
    }

    /// The episode is over either way.
    public var done: Bool { terminated || truncated }
}
