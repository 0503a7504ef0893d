import EnvironmentKit
import ToolSandbox

/// The fields of a reset (`{"type":"reset","data":{…}}` or the body of `POST /reset`), as
/// OpenEnv's `ResetRequest`: `seed` (integer ≥ 0) and `episode_id` (≤ 255 characters), plus
/// TurnRL's `split` ("train" | "test") and `task_id`. Other fields are ignored, as OpenEnv
/// ignores what the environment's `reset` does not take.
public struct ResetParameters: Sendable, Equatable {
    /// nil: the server draws one (the episode is then not reproducible from the request).
    public var seed: UInt64?
    public var episodeID: String?
    public var options: ResetOptions

    public init(seed: UInt64? = nil, episodeID: String? = nil, options: ResetOptions = ResetOptions()) {
        self.seed = seed
        self.episodeID = episodeID
        self.options = options
    }

    public init(_ data: [String: JSONValue]) throws(WireError) {
        self.init()
        switch data["seed"] {
        case nil, .null?: break
        case .int(let value)? where value >= 0: seed = UInt64(value)
        case .double(let value)? where value >= 0 && value == value.rounded() && value < 9.2e18: seed = UInt64(value)
        case let other?: throw WireError(.validationError, "seed must be an integer >= 0, got \(other)")
        }
        switch data["episode_id"] {
        case nil, .null?: break
        case .string(let value)? where value.count <= 255: episodeID = value
        case let other?: throw WireError(.validationError, "episode_id must be a string of at most 255 characters, got \(WireFormat.typeName(other))")
        }
        switch data["split"] {
        case nil, .null?: break
        case .string(let value)?:
            guard let split = Split(rawValue: value) else { throw WireError(.validationError, "split must be \"train\" or \"test\", got \"\(value)\"") }
            options.split = split
        case let other?: throw WireError(.validationError, "split must be \"train\" or \"test\", got \(WireFormat.typeName(other))")
        }
        switch data["task_id"] {
        case nil, .null?: break
        case .string(let value)?: options.taskID = value
        case let other?: throw WireError(.validationError, "task_id must be a string, got \(WireFormat.typeName(other))")
        }
    }
}

/// An action: `{"message": "<the agent's whole utterance>"}`, optionally with OpenEnv's
/// `metadata` object. Any other field is refused, as OpenEnv's `Action` (extra="forbid") does.
public struct ActionParameters: Sendable, Equatable {
    public var message: String

    public init(message: String) { self.message = message }

    public init(_ data: [String: JSONValue]) throws(WireError) {
        let unknown = data.keys.filter { $0 != "message" && $0 != "metadata" }.sorted()
        guard unknown.isEmpty else {
            throw WireError(.validationError, "unknown action field(s) \(unknown.joined(separator: ", ")); an action is {\"message\": \"<utterance>\"}")
        }
        guard case .string(let message)? = data["message"] else {
            throw WireError(.validationError, "an action needs \"message\": a string (the agent's utterance)\(data["message"].map { ", got \(WireFormat.typeName($0))" } ?? "")")
        }
        if let metadata = data["metadata"], case .object = metadata {} else if data["metadata"] != nil {
            throw WireError(.validationError, "action metadata must be an object")
        }
        self.message = message
    }
}
