import EnvironmentKit
import ToolSandbox

/// The JSON Schemas served at `GET /schema` (OpenEnv's `SchemaResponse`): exactly the shapes
/// `WireFormat` writes and `ActionParameters` / `ResetParameters` read.
public enum Schemas {
    static func type(_ name: String, _ description: String) -> JSONValue {
        .object(["type": .string(name), "description": .string(description)])
    }

    static func nullable(_ name: String, _ description: String) -> JSONValue {
        .object(["anyOf": .array([.object(["type": .string(name)]), .object(["type": .string("null")])]), "description": .string(description)])
    }

    static func object(_ title: String, _ properties: [String: JSONValue], required: [String], additional: Bool) -> JSONValue {
        .object([
            "title": .string(title), "type": .string("object"), "properties": .object(properties),
            "required": .array(required.sorted().map(JSONValue.string)), "additionalProperties": .bool(additional),
        ])
    }

    /// `{"message": string, "metadata"?: object}`.
    public static let action = object("TurnRLAction", [
        "message": type("string", "The agent's whole utterance: tool calls and/or a final answer in the environment's action format."),
        "metadata": type("object", "Free-form metadata (OpenEnv's Action.metadata); ignored by the environment."),
    ], required: ["message"], additional: false)

    static let toolCall = object("ToolCall", [
        "name": type("string", "Tool name."),
        "arguments": type("object", "Arguments as parsed from the utterance."),
        "output": type("string", "The tool's full output (before the observation cap)."),
        "is_error": type("boolean", "The call itself was wrong (the model's mistake)."),
        "duration_ms": type("number", "Wall-clock time of the call."),
    ], required: ["name", "arguments", "output", "is_error", "duration_ms"], additional: false)

    static let rewardComponent = object("RewardComponent", [
        "name": type("string", "Component name (format_penalty, per_turn, correct, …; names starting with _ are metrics, not reward)."),
        "value": type("number", "Its value; the step's reward is the sum of the non-metric components."),
    ], required: ["name", "value"], additional: false)

    /// The `observation` object of every reply (reward and done sit beside it, as in OpenEnv).
    public static let observation = object("TurnRLObservation", [
        "text": type("string", "What the agent sees next: the task prompt after reset, tool results or a format error after a step."),
        "role": .object(["type": .string("string"), "enum": .array([.string("user"), .string("tool")]), "description": .string("Chat role the text is appended with.")]),
        "turn": type("integer", "Turn number: 0 after reset, 1 after the first step, …"),
        "task_id": type("string", "The episode's task."),
        "tool_calls": .object(["type": .string("array"), "items": toolCall, "description": .string("Tool calls of this step, in order.")]),
        "reward_components": .object(["type": .string("array"), "items": rewardComponent, "description": .string("The parts of this step's reward.")]),
        "format_error": nullable("string", "Why the utterance could not be parsed."),
        "answer": nullable("string", "The final answer, when the utterance gave one."),
        "success": nullable("boolean", "Whether the answer was right (answer steps only)."),
        "infra_error": nullable("string", "A tool or the verifier broke (not the agent's fault); the episode is truncated and must not be scored as 0."),
        "truncated_by": nullable("string", "The wrapper that truncated the episode (turn limit)."),
        "observation_cut_characters": type("integer", "Characters cut from tool results by the observation cap."),
        "terminated": type("boolean", "The episode ended by itself (an answer was given)."),
        "truncated": type("boolean", "The episode was cut from outside (turn limit, infrastructure failure)."),
    ], required: [
        "text", "role", "turn", "task_id", "tool_calls", "reward_components", "format_error", "answer", "success",
        "infra_error", "truncated_by", "observation_cut_characters", "terminated", "truncated",
    ], additional: false)

    /// `{"episode_id", "step_count", "task_id", "done"}`.
    public static let state = object("TurnRLState", [
        "episode_id": nullable("string", "The current episode (nil before the first reset)."),
        "step_count": type("integer", "Steps taken in the current episode."),
        "task_id": nullable("string", "The current episode's task."),
        "done": type("boolean", "The current episode is over."),
    ], required: ["episode_id", "step_count"], additional: true)

    /// The body of `POST /reset` and the `data` of a WebSocket reset.
    public static let resetRequest = object("ResetRequest", [
        "seed": nullable("integer", "Picks the task (same seed, same task); omitted: the server draws one."),
        "episode_id": nullable("string", "Your identifier for the episode (at most 255 characters)."),
        "split": .object(["type": .string("string"), "enum": .array([.string("train"), .string("test")]), "description": .string("Which task list to draw from (default train).")]),
        "task_id": nullable("string", "Play this task instead of the one the seed picks."),
    ], required: [], additional: true)

    /// `{"observation", "reward", "done"}` (OpenEnv's ResetResponse / StepResponse).
    public static let result = object("StepResponse", [
        "observation": observation,
        "reward": nullable("number", "The step's reward (null after reset)."),
        "done": type("boolean", "terminated or truncated."),
    ], required: ["observation", "reward", "done"], additional: false)

    /// The body of `POST /step`: the action, and optionally the reset fields of the one-step
    /// episode it runs in.
    public static let stepRequest = object("StepRequest", [
        "action": action,
        "seed": nullable("integer", "Seed of the episode the step runs in (default 0)."),
        "split": .object(["type": .string("string"), "enum": .array([.string("train"), .string("test")])]),
        "task_id": nullable("string", "Task of the episode the step runs in."),
        "timeout_s": nullable("number", "Accepted for OpenEnv compatibility; the environment's own limits apply."),
        "request_id": nullable("string", "Accepted for OpenEnv compatibility."),
    ], required: ["action"], additional: true)

    /// `{"action", "observation", "state"}`.
    public static var all: JSONValue { .object(["action": action, "observation": observation, "state": state]) }
}
