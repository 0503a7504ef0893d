import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A policy served by any OpenAI-compatible chat-completions endpoint (llama.cpp server, vLLM,
/// Ollama, OpenAI). It sends the conversation, and the tools natively (`tools` / `tool_calls`)
/// when the server supports them, else in the Hermes text format. Each HTTP attempt has a hard
/// timeout; timeouts, connection failures, HTTP 408/425/429 and 5xx are retried with
/// exponential backoff; what still fails is thrown as a `RemotePolicyError`, an infrastructure
/// failure the caller must never score as a 0 reward.
///
/// An actor only for the little it learns on the way (the model name, whether the server takes
/// `tools`); requests run concurrently.
public actor OpenAIChatPolicy {
    public nonisolated let configuration: OpenAIChatConfiguration
    private let transport = HTTPTransport()
    private var mode: ToolCallingMode
    private var model: String?

    public init(configuration: OpenAIChatConfiguration) {
        self.configuration = configuration
        self.mode = configuration.toolCalling
        self.model = configuration.model
    }

    /// `auto` until the first request with tools showed whether the server takes them.
    public var toolCallingMode: ToolCallingMode { mode }

    /// The model's reply to `messages`, offered `tools`.
    public func reply(to messages: [RemoteChatMessage], tools: [RemoteToolSpec] = []) async throws(RemotePolicyError) -> RemoteChatReply {
        let model = try await resolvedModel()
        let native = !tools.isEmpty && mode != .hermes
        var request = URLRequest(url: configuration.completionsURL)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = OpenAIWire.requestBody(messages, tools: tools, native: native, model: model, configuration: configuration)
        authorize(&request)
        let probing = native && mode == .auto
        let (response, attempts): (HTTPTransport.Response, Int)
        do throws(RemotePolicyError) {
            (response, attempts) = try await send(request, stopEarly: { status, body in probing && Self.rejectsTools(status: status, body: body) })
        } catch {
            if probing, case .httpStatus(_, let status, let body, _) = error, Self.rejectsTools(status: status, body: body) {
                mode = .hermes  // for good: the server said it does not take `tools`
                return try await reply(to: messages, tools: tools)
            }
            throw error
        }
        let reply = try OpenAIWire.parseReply(response.body, mode: native ? .native : .hermes, endpoint: configuration.completionsURL.absoluteString, attempts: attempts)
        if probing { mode = .native }
        return reply
    }

    /// Whether an error response says the request's `tools` are not supported (llama.cpp without
    /// --jinja: HTTP 500 "tools param requires --jinja flag"; Ollama: 400 "… does not support tools").
    static func rejectsTools(status: Int, body: String) -> Bool {
        (400..<600).contains(status) && ![408, 425, 429, 502, 503, 504].contains(status) && body.lowercased().contains("tool")
    }

    /// The configured model, else the first model `<base>/models` lists (asked once).
    private func resolvedModel() async throws(RemotePolicyError) -> String {
        if let model { return model }
        var request = URLRequest(url: configuration.modelsURL)
        authorize(&request)
        let (response, _) = try await send(request, stopEarly: { _, _ in false })
        let endpoint = configuration.modelsURL.absoluteString
        guard let root = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
              let data = root["data"] as? [[String: Any]] else {
            throw .malformedResponse(endpoint: endpoint, detail: "no data list of models", body: String(decoding: response.body, as: UTF8.self))
        }
        guard let first = data.first?["id"] as? String else {
            throw .configuration("\(endpoint) lists no model; name one: openai:URL#MODEL")
        }
        model = first
        return first
    }

    private func authorize(_ request: inout URLRequest) {
        if let key = configuration.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
    }

    static func retryable(status: Int) -> Bool { [408, 425, 429].contains(status) || (500..<600).contains(status) }

    /// Sends with retries. `stopEarly(status, body)`: an error response not worth retrying.
    private func send(_ request: URLRequest, stopEarly: @Sendable (Int, String) -> Bool) async throws(RemotePolicyError) -> (HTTPTransport.Response, Int) {
        let endpoint = request.url?.absoluteString ?? "?"
        var delay = configuration.initialBackoffSeconds
        var attempt = 0
        while true {
            attempt += 1
            let failure: RemotePolicyError
            var wait = delay
            switch await once(request) {
            case .success(let response):
                if (200..<300).contains(response.status) { return (response, attempt) }
                let body = String(decoding: response.body, as: UTF8.self)
                failure = .httpStatus(endpoint: endpoint, status: response.status, body: body, attempts: attempt)
                if !Self.retryable(status: response.status) || stopEarly(response.status, body) { throw failure }
                if let retryAfter = response.retryAfter { wait = retryAfter }
            case .failure(.timeout):
                failure = .timeout(endpoint: endpoint, seconds: configuration.timeoutSeconds, attempts: attempt)
            case .failure(.connection(let detail)):
                failure = .connection(endpoint: endpoint, detail: detail, attempts: attempt)
            }
            guard attempt <= configuration.maxRetries, !Task.isCancelled else { throw failure }
            try? await Task.sleep(for: .seconds(min(wait, configuration.maxBackoffSeconds)))
            delay *= 2
        }
    }

    /// One HTTP attempt.
    private func once(_ request: URLRequest) async -> Result<HTTPTransport.Response, HTTPTransport.Failure> {
        do throws(HTTPTransport.Failure) {
            return .success(try await transport.send(request, timeoutSeconds: configuration.timeoutSeconds))
        } catch {
            return .failure(error)
        }
    }
}
