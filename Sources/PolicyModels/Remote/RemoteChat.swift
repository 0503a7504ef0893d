import Foundation

/// One message of a conversation sent to a chat endpoint. PolicyModels does not know the
/// environment layer: callers translate their transcript into these (see `turnrl play`).
public struct RemoteChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
        case system, user, assistant, tool
    }

    public var role: Role
    public var content: String
    /// Assistant messages: the native tool calls the model made in that turn.
    public var toolCalls: [RemoteToolCall]
    /// Tool messages: the id of the call this message answers. A tool message without one (an
    /// observation that answers no native call, e.g. a format error) is sent as a user message.
    public var toolCallID: String?

    public init(role: Role, content: String, toolCalls: [RemoteToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}

/// A tool call in OpenAI's form: the arguments are a JSON object serialised as text.
public struct RemoteToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments object as JSON text, e.g. `{"question": "Is it in Africa?"}`.
    public var argumentsJSON: String

    public init(id: String, name: String, argumentsJSON: String) {
        self.id = id
        self.name = name
        self.argumentsJSON = argumentsJSON
    }

    /// The call in the Hermes / Qwen text format, `<tool_call>{"name": …, "arguments": {…}}</tool_call>`,
    /// which EnvironmentKit's `hermes` action format parses.
    public var hermesText: String {
        // Arguments that are not a JSON object stay text: the environment then reports a format error.
        let arguments: Any = RemoteJSON.object(argumentsJSON.isEmpty ? "{}" : argumentsJSON) ?? argumentsJSON
        return "<tool_call>{\"name\": \(RemoteJSON.text(name)), \"arguments\": \(RemoteJSON.text(arguments))}</tool_call>"
    }
}

/// A tool the model may call, in OpenAI's function form.
public struct RemoteToolSpec: Sendable, Equatable {
    public var name: String
    public var description: String
    /// JSON Schema of the arguments object, as JSON text.
    public var parametersJSON: String

    public init(name: String, description: String, parametersJSON: String) {
        self.name = name
        self.description = description
        self.parametersJSON = parametersJSON
    }
}

/// How tool calls travel between TurnRL and the endpoint.
public enum ToolCallingMode: String, Sendable, Equatable, CaseIterable {
    /// Native first (`tools` in the request, `tool_calls` in the reply); switch to `hermes` for
    /// good when the server rejects `tools`.
    case auto
    /// OpenAI's native tool calling only.
    case native
    /// Plain text: the tools are described in the system message in the Hermes format (unless
    /// `describesToolsInText` is off) and the model writes `<tool_call>{…}</tool_call>` in its content.
    case hermes
}

/// One reply of the endpoint.
public struct RemoteChatReply: Sendable, Equatable {
    /// The text the model wrote (empty when it only called tools).
    public var content: String
    /// Native tool calls (always empty in `hermes` mode: the calls are in `content`).
    public var toolCalls: [RemoteToolCall]
    /// `stop`, `length`, `tool_calls`, … as the server reports it.
    public var finishReason: String?
    /// The mode the reply was produced in (`native` or `hermes`, never `auto`).
    public var mode: ToolCallingMode
    /// Token counts when the server reports usage.
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// HTTP attempts it took (1 = no retry).
    public var attempts: Int

    public init(content: String, toolCalls: [RemoteToolCall], finishReason: String?, mode: ToolCallingMode, promptTokens: Int? = nil, completionTokens: Int? = nil, attempts: Int = 1) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.mode = mode
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.attempts = attempts
    }

    /// The whole reply as one utterance in the Hermes format: the content, then each native
    /// call as `<tool_call>…</tool_call>`.
    public var hermesText: String {
        ([content.trimmingCharacters(in: .whitespacesAndNewlines)] + toolCalls.map(\.hermesText)).filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
