import EnvironmentKit
import Foundation
import ToolSandbox

/// The JSON shapes of OpenEnv's protocol, built from TurnRL's types. Field names are OpenEnv's
/// (`observation`, `reward`, `done`, `episode_id`, `step_count`) plus TurnRL's own
/// observation fields in snake_case (see `Schemas.observation`).
public enum WireFormat {
    /// Compact JSON text with sorted keys (stable output for tests and logs).
    public static func text(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // JSONValue only holds finite numbers from JSON or from rewards; a NaN reward would be a
        // verifier bug, and is written as null rather than failing the whole reply.
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses one client frame; anything but a JSON object is `INVALID_JSON`.
    public static func parseObject(_ text: String) throws(WireError) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw WireError(.invalidJSON, "Invalid JSON: the message is not valid JSON (\(shortReason(error)))")
        }
        guard case .object(let object) = value else {
            throw WireError(.invalidJSON, "Invalid JSON: a message must be a JSON object, got \(typeName(value))")
        }
        return object
    }

    /// `{"type":"error","data":{"message":…,"code":…}}`.
    public static func errorMessage(_ error: WireError) -> JSONValue {
        .object(["type": .string("error"), "data": .object(["message": .string(error.message), "code": .string(error.code.rawValue)])])
    }

    /// `{"type":"observation","data":{"observation":…,"reward":…,"done":…}}`.
    public static func observationMessage(_ payload: JSONValue) -> JSONValue {
        .object(["type": .string("observation"), "data": payload])
    }

    /// The payload after `reset`: the task prompt, turn 0, no reward yet (OpenEnv sends null).
    public static func resetPayload(_ observation: Observation, taskID: String) -> JSONValue {
        var fields = baseObservation(text: observation.text, role: observation.role, turn: 0, taskID: taskID)
        fields["terminated"] = .bool(false)
        fields["truncated"] = .bool(false)
        return .object(["observation": .object(fields), "reward": .null, "done": .bool(false)])
    }

    /// The payload after a step: the observation text with every part of `info` a trainer
    /// needs (tool calls with outputs and durations, reward components, format and
    /// infrastructure errors, terminated vs truncated).
    public static func stepPayload(_ result: StepResult) -> JSONValue {
        let info = result.info
        var fields = baseObservation(text: result.observation.text, role: result.observation.role, turn: info.turn, taskID: info.taskID)
        fields["tool_calls"] = .array(info.toolCalls.map { record in
            .object([
                "name": .string(record.call.name), "arguments": .object(record.call.arguments), "output": .string(record.output),
                "is_error": .bool(record.isError), "duration_ms": .double(record.durationMs),
            ])
        })
        fields["reward_components"] = .array(info.rewardComponents.map { .object(["name": .string($0.name), "value": number($0.value)]) })
        fields["format_error"] = info.formatError.map(JSONValue.string) ?? .null
        fields["answer"] = info.answer.map(JSONValue.string) ?? .null
        fields["success"] = info.success.map(JSONValue.bool) ?? .null
        fields["infra_error"] = info.infraError.map(JSONValue.string) ?? .null
        fields["truncated_by"] = info.truncatedBy.map(JSONValue.string) ?? .null
        fields["observation_cut_characters"] = .int(info.observationCutCharacters)
        fields["terminated"] = .bool(result.terminated)
        fields["truncated"] = .bool(result.truncated)
        return .object(["observation": .object(fields), "reward": number(result.reward), "done": .bool(result.done)])
    }

    /// `{"episode_id": …, "step_count": …}` plus TurnRL's extras.
    public static func statePayload(episodeID: String?, stepCount: Int, taskID: String?, done: Bool) -> JSONValue {
        .object([
            "episode_id": episodeID.map(JSONValue.string) ?? .null, "step_count": .int(stepCount),
            "task_id": taskID.map(JSONValue.string) ?? .null, "done": .bool(done),
        ])
    }

    static func baseObservation(text: String, role: ChatRole, turn: Int, taskID: String) -> [String: JSONValue] {
        [
            "text": .string(text), "role": .string(role.rawValue), "turn": .int(turn), "task_id": .string(taskID),
            "tool_calls": .array([]), "reward_components": .array([]), "format_error": .null, "answer": .null,
            "success": .null, "infra_error": .null, "truncated_by": .null, "observation_cut_characters": .int(0),
        ]
    }

    /// A reward as JSON: integral values stay numbers a strict client reads as floats too.
    static func number(_ value: Double) -> JSONValue { value.isFinite ? .double(value) : .null }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func shortReason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
        }
        return "\(error)"
    }
}
