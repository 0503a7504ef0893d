import EnvironmentKit
import Foundation
import PolicyModels
import ToolSandbox

/// `--policy openai:URL[#MODEL]`: an OpenAI-compatible endpoint writing an environment's
/// utterances. It sends the environment's transcript exactly as the environment holds it (what
/// `:context` shows: past utterances as assistant text, observations as user messages) and offers
/// the environment's tools natively; native calls come back rendered in the environment's action
/// format (`<ask>…</ask>` for `tags`, `<tool_call>…</tool_call>` for `hermes`), so the
/// environment parses them like any utterance. Servers without tool calling get plain text (and,
/// for `hermes` environments, the tools described in the Hermes format).
struct RemotePolicyAdapter {
    let policy: OpenAIChatPolicy
    let spec: EnvironmentSpec

    /// Whether a `--policy` value names an endpoint.
    static func isRemote(_ policySpec: String) -> Bool { policySpec.hasPrefix("openai:") }

    init(policySpec: String, environment spec: EnvironmentSpec) throws {
        var configuration = try OpenAIChatConfiguration.parse(policySpec: policySpec)
        // A tags environment's system prompt teaches its own text format; the Hermes tool
        // description would contradict it.
        configuration.describesToolsInText = spec.actionFormat == .hermes
        policy = OpenAIChatPolicy(configuration: configuration)
        self.spec = spec
    }

    /// The next utterance for the conversation so far. Throws `RemotePolicyError` (infrastructure:
    /// the caller must not step the environment or score the turn).
    func utterance(messages: [ChatMessage]) async throws(RemotePolicyError) -> (text: String, reply: RemoteChatReply) {
        let reply = try await policy.reply(to: messages.map(Self.remote), tools: spec.tools.map(Self.remote))
        return (Self.utterance(for: reply, spec: spec), reply)
    }

    static func remote(_ message: ChatMessage) -> RemoteChatMessage {
        let role: RemoteChatMessage.Role
        switch message.role {
        case .system: role = .system
        case .user: role = .user
        case .assistant: role = .assistant
        case .tool: role = .tool  // no call id: sent as a user message
        }
        return RemoteChatMessage(role: role, content: message.content)
    }

    static func remote(_ tool: ToolDescriptor) -> RemoteToolSpec {
        let schema = (try? JSONEncoder().encode(tool.argumentsSchema)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return RemoteToolSpec(name: tool.name, description: tool.description, parametersJSON: schema)
    }

    /// The reply's text, then each native call in the environment's action format (a call whose
    /// arguments are not a JSON object stays in the Hermes form, which the environment reports
    /// as a format error).
    static func utterance(for reply: RemoteChatReply, spec: EnvironmentSpec) -> String {
        let format = spec.actionFormat.parser
        let calls = reply.toolCalls.map { call -> String in
            guard let data = call.argumentsJSON.data(using: .utf8),
                  case .object(let arguments)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return call.hermesText }
            return format.render(ToolCall(name: call.name, arguments: arguments), tools: spec.tools)
        }
        return ([reply.content.trimmingCharacters(in: .whitespacesAndNewlines)] + calls).filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
