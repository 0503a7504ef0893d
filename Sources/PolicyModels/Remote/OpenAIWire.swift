import Foundation

/// The chat-completions wire format: request bodies and reply parsing for both tool-calling
/// modes. Pure functions, so they are tested without a server.
enum OpenAIWire {
    /// The system-message addition that describes tools in the Hermes / Qwen 2.5 format, for
    /// servers without native tool calling (the text Qwen's chat template itself inserts).
    static func hermesToolPreamble(_ tools: [RemoteToolSpec]) -> String {
        let lines = tools.map { RemoteJSON.text(["type": "function", "function": functionObject($0)]) }
        return """
            # Tools

            You may call one or more functions to assist with the user query.

            You are provided with function signatures within <tools></tools> XML tags:
            <tools>
            \(lines.joined(separator: "\n"))
            </tools>

            For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:
            <tool_call>
            {"name": <function-name>, "arguments": <args-json-object>}
            </tool_call>
            """
    }

    static func functionObject(_ tool: RemoteToolSpec) -> [String: Any] {
        ["name": tool.name, "description": tool.description, "parameters": RemoteJSON.object(tool.parametersJSON) ?? ["type": "object", "properties": [String: Any]()]]
    }

    /// The request body. `native`: tools go in `tools` and past calls in `tool_calls`; else the
    /// tools are described in the system message and past calls are text in the content.
    static func requestBody(_ messages: [RemoteChatMessage], tools: [RemoteToolSpec], native: Bool, model: String?, configuration: OpenAIChatConfiguration) -> Data {
        var wire: [[String: Any]] = []
        for message in messages {
            switch message.role {
            case .assistant where native && !message.toolCalls.isEmpty:
                wire.append([
                    "role": "assistant", "content": message.content.isEmpty ? NSNull() : message.content as Any,
                    "tool_calls": message.toolCalls.map { ["id": $0.id, "type": "function", "function": ["name": $0.name, "arguments": $0.argumentsJSON]] },
                ])
            case .assistant:
                let calls = message.toolCalls.map(\.hermesText)
                wire.append(["role": "assistant", "content": ([message.content] + calls).filter { !$0.isEmpty }.joined(separator: "\n")])
            case .tool where native && message.toolCallID != nil:
                wire.append(["role": "tool", "tool_call_id": message.toolCallID!, "content": message.content])
            case .tool:
                wire.append(["role": "user", "content": message.content])
            case .system, .user:
                wire.append(["role": message.role.rawValue, "content": message.content])
            }
        }
        if !native && !tools.isEmpty && configuration.describesToolsInText {
            let preamble = hermesToolPreamble(tools)
            if let index = wire.firstIndex(where: { $0["role"] as? String == "system" }) {
                wire[index]["content"] = "\(wire[index]["content"] as? String ?? "")\n\n\(preamble)"
            } else {
                wire.insert(["role": "system", "content": preamble], at: 0)
            }
        }
        var body: [String: Any] = ["messages": wire, "stream": false]
        if let model { body["model"] = model }
        if native && !tools.isEmpty { body["tools"] = tools.map { ["type": "function", "function": functionObject($0)] } }
        if let value = configuration.temperature { body["temperature"] = value }
        if let value = configuration.maxTokens { body["max_tokens"] = value }
        if let value = configuration.seed { body["seed"] = value }
        return Data(RemoteJSON.text(body).utf8)
    }

    /// A reply from a 200 response body; throws `.malformedResponse` naming what is missing.
    static func parseReply(_ data: Data, mode: ToolCallingMode, endpoint: String, attempts: Int) throws(RemotePolicyError) -> RemoteChatReply {
        let text = String(decoding: data, as: UTF8.self)
        func malformed(_ detail: String) -> RemotePolicyError { .malformedResponse(endpoint: endpoint, detail: detail, body: text) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw malformed("not a JSON object") }
        if let error = root["error"] {
            throw malformed("an error object: \(RemoteJSON.text(error))")
        }
        guard let choices = root["choices"] as? [[String: Any]], let choice = choices.first else { throw malformed("no choices") }
        guard let message = choice["message"] as? [String: Any] else { throw malformed("choices[0] has no message") }
        var content = ""
        switch message["content"] {
        case nil, is NSNull: break
        case let value as String: content = value
        default: throw malformed("message.content is neither text nor null")
        }
        var calls: [RemoteToolCall] = []
        if let raw = message["tool_calls"], !(raw is NSNull) {
            guard let list = raw as? [[String: Any]] else { throw malformed("message.tool_calls is not a list") }
            for (index, call) in list.enumerated() {
                guard let function = call["function"] as? [String: Any], let name = function["name"] as? String else {
                    throw malformed("tool_calls[\(index)] has no function name")
                }
                let arguments: String
                switch function["arguments"] {
                case let value as String: arguments = value
                case nil, is NSNull: arguments = "{}"
                case let value?: arguments = RemoteJSON.text(value)  // some servers send an object
                }
                calls.append(RemoteToolCall(id: call["id"] as? String ?? "call_\(index)", name: name, argumentsJSON: arguments))
            }
        }
        let usage = root["usage"] as? [String: Any]
        return RemoteChatReply(
            content: content, toolCalls: calls, finishReason: choice["finish_reason"] as? String, mode: mode,
            promptTokens: usage?["prompt_tokens"] as? Int, completionTokens: usage?["completion_tokens"] as? Int, attempts: attempts)
    }
}
