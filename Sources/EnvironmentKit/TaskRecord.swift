import ToolSandbox

/// One task: `{"id", "kind", "prompt", "answer", ...}` (the environment folder contract).
public struct TaskRecord: Sendable, Equatable {
    /// Unique within its split.
    public var id: String
    /// The task kind (`env check` reports per kind).
    public var kind: String
    /// The user's task text, the first observation.
    public var prompt: String
    /// The reference answer (any JSON).
    public var answer: JSONValue
    /// The whole record, including extra fields tools, verifier and expert use.
    public var fields: [String: JSONValue]

    /// The tag name of the right first action (`first_action`, optional): `env check` reports
    /// how often the expert's first utterance takes it.
    public var firstAction: String? {
        if case .string(let value)? = fields["first_action"] { return value }
        return nil
    }

    /// Builds a record from a decoded JSON object; nil with a reason when required fields are
    /// missing or of the wrong type.
    public static func from(_ object: [String: JSONValue]) -> Result<TaskRecord, TaskRecordProblem> {
        guard case .string(let id)? = object["id"], !id.isEmpty else { return .failure(.init("missing or non-string \"id\"")) }
        guard case .string(let prompt)? = object["prompt"] else { return .failure(.init("task \(id): missing or non-string \"prompt\"")) }
        guard let answer = object["answer"] else { return .failure(.init("task \(id): missing \"answer\"")) }
        var kind = "default"
        if let value = object["kind"] {
            guard case .string(let text) = value else { return .failure(.init("task \(id): \"kind\" must be a string")) }
            kind = text
        }
        return .success(TaskRecord(id: id, kind: kind, prompt: prompt, answer: answer, fields: object))
    }

    public init(id: String, kind: String, prompt: String, answer: JSONValue, fields: [String: JSONValue] = [:]) {
        self.id = id
        self.kind = kind
        self.prompt = prompt
        self.answer = answer
        var all = fields
        all["id"] = .string(id)
        all["kind"] = .string(kind)
        all["prompt"] = .string(prompt)
        all["answer"] = answer
        self.fields = all
    }

    /// The record as JSON (what Python tools receive as `task`).
    public var json: JSONValue { .object(fields) }
}

/// Why a JSON object is not a task record.
public struct TaskRecordProblem: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}

/// Which task list an episode draws from.
public enum Split: String, Codable, Sendable, CaseIterable {
    case train, test
}
