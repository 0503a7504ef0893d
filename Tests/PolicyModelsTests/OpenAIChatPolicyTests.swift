import Foundation
import Testing
@testable import PolicyModels

/// `OpenAIChatPolicy` against a stub server with recorded responses (one server per test, so
/// tests run in parallel without sharing request logs).
@Suite struct OpenAIChatPolicyTests {
    static let ask = RemoteToolSpec(
        name: "ask", description: "Ask one yes/no question about the secret country.",
        parametersJSON: #"{"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}"#)
    static let conversation = [
        RemoteChatMessage(role: .system, content: "Find the secret country."),
        RemoteChatMessage(role: .user, content: "The secret country is one of: Chad, Peru."),
    ]

    func policy(_ server: OpenAIStubServer, model: String?, timeout: Double = 10, retries: Int = 2, apiKey: String? = nil) -> OpenAIChatPolicy {
        var configuration = OpenAIChatConfiguration(baseURL: server.baseURL, model: model, apiKey: apiKey)
        configuration.timeoutSeconds = timeout
        configuration.maxRetries = retries
        configuration.initialBackoffSeconds = 0.05
        configuration.temperature = 0.7
        configuration.seed = 3
        return OpenAIChatPolicy(configuration: configuration)
    }

    @Test func plainAnswer() async throws {
        let server = try OpenAIStubServer()
        let reply = try await policy(server, model: "plain", apiKey: "sk-test").reply(to: Self.conversation)
        #expect(reply.content == "The answer is 4." && reply.toolCalls.isEmpty && reply.finishReason == "stop")
        #expect(reply.promptTokens == 12 && reply.completionTokens == 5 && reply.attempts == 1 && reply.mode == .hermes)
        let log = try await server.log()
        #expect(log.count == 1 && log[0]["path"] as? String == "/v1/chat/completions" && log[0]["authorization"] as? String == "Bearer sk-test")
        let body = try #require(log[0]["body"] as? [String: Any])
        #expect(body["model"] as? String == "plain" && body["temperature"] as? Double == 0.7 && body["seed"] as? Int == 3 && body["tools"] == nil)
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages.map { $0["role"]! } == ["system", "user"] && messages[1]["content"] == "The secret country is one of: Chad, Peru.")
    }

    @Test func nativeToolCallAndItsHistory() async throws {
        let server = try OpenAIStubServer()
        let policy = policy(server, model: "tools")
        let reply = try await policy.reply(to: Self.conversation, tools: [Self.ask])
        #expect(reply.mode == .native && reply.content.isEmpty && reply.finishReason == "tool_calls")
        #expect(reply.toolCalls == [RemoteToolCall(id: "call_7", name: "ask", argumentsJSON: #"{"question": "Is it in Africa?"}"#)])
        #expect(reply.hermesText == #"<tool_call>{"name": "ask", "arguments": {"question":"Is it in Africa?"}}</tool_call>"#)
        #expect(await policy.toolCallingMode == .native)
        // The next turn sends the call back as tool_calls and the result as a tool message.
        let history = Self.conversation + [
            RemoteChatMessage(role: .assistant, content: "", toolCalls: reply.toolCalls),
            RemoteChatMessage(role: .tool, content: "yes", toolCallID: "call_7"),
        ]
        _ = try await policy.reply(to: history, tools: [Self.ask])
        let log = try await server.log()
        let first = try #require(log.first?["body"] as? [String: Any])
        let tools = try #require(first["tools"] as? [[String: Any]])
        let function = try #require(tools.first?["function"] as? [String: Any])
        #expect(tools.first?["type"] as? String == "function" && function["name"] as? String == "ask")
        #expect((function["parameters"] as? [String: Any])?["required"] as? [String] == ["question"])
        let second = try #require((log.last?["body"] as? [String: Any])?["messages"] as? [[String: Any]])
        #expect(second.map { $0["role"] as? String } == ["system", "user", "assistant", "tool"])
        let calls = try #require(second[2]["tool_calls"] as? [[String: Any]])
        #expect(calls.first?["id"] as? String == "call_7" && second[2]["content"] is NSNull)
        #expect(second[3]["tool_call_id"] as? String == "call_7" && second[3]["content"] as? String == "yes")
    }

    @Test func serverWithoutToolsFallsBackToHermesText() async throws {
        let server = try OpenAIStubServer()
        let policy = policy(server, model: "notools")
        let reply = try await policy.reply(to: Self.conversation, tools: [Self.ask])
        #expect(reply.mode == .hermes && reply.toolCalls.isEmpty)
        #expect(reply.content == #"<tool_call>{"name": "ask", "arguments": {"question": "Is it landlocked?"}}</tool_call>"#)
        #expect(await policy.toolCallingMode == .hermes)
        _ = try await policy.reply(to: Self.conversation, tools: [Self.ask])
        let log = try await server.log()
        // One rejected native attempt (not retried), then text mode for good.
        #expect(log.map { ($0["body"] as? [String: Any])?["tools"] != nil } == [true, false, false])
        let system = try #require(((log[1]["body"] as? [String: Any])?["messages"] as? [[String: String]])?.first)
        #expect(system["role"] == "system" && system["content"]!.hasPrefix("Find the secret country.\n\n# Tools"))
        #expect(system["content"]!.contains(#"<tools>"#) && system["content"]!.contains(#""name":"ask""#) && system["content"]!.contains("<tool_call>"))
    }

    @Test func timeoutIsRetriedThenTyped() async throws {
        let server = try OpenAIStubServer()
        let started = ContinuousClock.now
        await #expect(throws: RemotePolicyError.timeout(endpoint: server.baseURL.absoluteString + "/chat/completions", seconds: 0.4, attempts: 2)) {
            try await policy(server, model: "slow", timeout: 0.4, retries: 1).reply(to: Self.conversation)
        }
        // The server would answer (200) after 30 s, so a timeout error means the client cut both
        // attempts; not before 2 × 0.4 s (no upper bound: a busy machine delays the timers).
        #expect(ContinuousClock.now - started >= .milliseconds(800))
        #expect(try await server.log().count == 2)  // both attempts reached the server
    }

    @Test func http500IsRetriedThenTyped() async throws {
        let server = try OpenAIStubServer()
        do {
            _ = try await policy(server, model: "error500", retries: 2).reply(to: Self.conversation)
            Issue.record("no error")
        } catch {
            guard case .httpStatus(_, let status, let body, let attempts) = error else { Issue.record("\(error)"); return }
            #expect(status == 500 && body.contains("model crashed") && attempts == 3 && error.isInfrastructure)
            #expect(error.description.hasPrefix("infrastructure:") && error.description.contains("HTTP 500"))
        }
        #expect(try await server.log().count == 3)
    }

    @Test func transientErrorsRecover() async throws {
        let server = try OpenAIStubServer()
        let reply = try await policy(server, model: "flaky", retries: 3).reply(to: Self.conversation)
        #expect(reply.content == "The answer is 4." && reply.attempts == 3)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = try OpenAIStubServer()
        await #expect(throws: RemotePolicyError.self) { try await policy(server, model: "badrequest", retries: 3).reply(to: Self.conversation) }
        #expect(try await server.log().count == 1)
    }

    @Test func malformedResponsesAreTyped() async throws {
        let server = try OpenAIStubServer()
        for (model, detail) in [("malformed", "not a JSON object"), ("errorbody", "context length exceeded")] {
            do {
                _ = try await policy(server, model: model).reply(to: Self.conversation)
                Issue.record("no error for \(model)")
            } catch {
                guard case .malformedResponse(_, let found, _) = error else { Issue.record("\(model): \(error)"); continue }
                #expect(found.contains(detail), "\(model): \(found)")
            }
        }
        #expect(try await server.log().count == 2)  // malformed bodies are not retried
    }

    @Test func modelFromTheServerAndRefusedConnection() async throws {
        let server = try OpenAIStubServer()
        let reply = try await policy(server, model: nil).reply(to: Self.conversation)
        #expect(reply.content == "The answer is 4.")  // `plain`, the first model /v1/models lists
        let port = server.port
        server.stop()
        var configuration = OpenAIChatConfiguration(baseURL: URL(string: "http://127.0.0.1:\(port)/v1")!, model: "plain")
        configuration.maxRetries = 1
        configuration.initialBackoffSeconds = 0.01
        do {
            _ = try await OpenAIChatPolicy(configuration: configuration).reply(to: Self.conversation)
            Issue.record("no error")
        } catch {
            guard case .connection(_, _, let attempts) = error else { Issue.record("\(error)"); return }
            #expect(attempts == 2)
        }
    }

    @Test func policySpecs() throws {
        let full = try OpenAIChatConfiguration.parse(policySpec: "openai:http://127.0.0.1:8080/v1#qwen2.5-0.5b", environment: ["OPENAI_API_KEY": "k"])
        #expect(full.baseURL.absoluteString == "http://127.0.0.1:8080/v1" && full.model == "qwen2.5-0.5b" && full.apiKey == "k")
        #expect(full.completionsURL.absoluteString == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(full.modelsURL.absoluteString == "http://127.0.0.1:8080/v1/models")
        let bare = try OpenAIChatConfiguration.parse(policySpec: "openai:https://api.example.com/v1/chat/completions", environment: [:])
        #expect(bare.model == nil && bare.apiKey == nil && bare.completionsURL.absoluteString == "https://api.example.com/v1/chat/completions")
        #expect(bare.modelsURL.absoluteString == "https://api.example.com/v1/models")
        #expect(throws: RemotePolicyError.self) { try OpenAIChatConfiguration.parse(policySpec: "openai:localhost:8080", environment: [:]) }
        #expect(throws: RemotePolicyError.self) { try OpenAIChatConfiguration.parse(policySpec: "human", environment: [:]) }
    }

    @Test func textModeDescribesToolsOnlyWhenAsked() throws {
        var configuration = OpenAIChatConfiguration(baseURL: URL(string: "http://127.0.0.1:1/v1")!, model: "m")
        func system(_ configuration: OpenAIChatConfiguration) throws -> String {
            let body = OpenAIWire.requestBody(Self.conversation, tools: [Self.ask], native: false, model: "m", configuration: configuration)
            let messages = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["messages"] as? [[String: String]])
            return messages[0]["content"] ?? ""
        }
        #expect(try system(configuration).contains("<tools>"))
        configuration.describesToolsInText = false
        #expect(try system(configuration) == "Find the secret country.")
    }

    @Test func hermesRenderingOfCalls() {
        #expect(RemoteToolCall(id: "1", name: "python", argumentsJSON: "").hermesText == #"<tool_call>{"name": "python", "arguments": {}}</tool_call>"#)
        // Arguments that are not an object stay text, so the environment reports the format error.
        #expect(RemoteToolCall(id: "1", name: "ask", argumentsJSON: "Is it").hermesText == #"<tool_call>{"name": "ask", "arguments": "Is it"}</tool_call>"#)
        let reply = RemoteChatReply(content: " Let me ask. ", toolCalls: [RemoteToolCall(id: "1", name: "ask", argumentsJSON: #"{"question":"Q?"}"#)], finishReason: nil, mode: .native)
        #expect(reply.hermesText == "Let me ask.\n" + #"<tool_call>{"name": "ask", "arguments": {"question":"Q?"}}</tool_call>"#)
    }
}
