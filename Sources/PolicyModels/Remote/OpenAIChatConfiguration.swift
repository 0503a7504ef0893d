import Foundation

/// Where and how `OpenAIChatPolicy` talks to an OpenAI-compatible chat-completions endpoint
/// (llama.cpp server, vLLM, Ollama, OpenAI itself).
public struct OpenAIChatConfiguration: Sendable, Equatable {
    /// The API base, e.g. `http://127.0.0.1:8080/v1`; requests go to `<base>/chat/completions`.
    public var baseURL: URL
    /// The model name sent with each request; nil: the first model `<base>/models` lists.
    public var model: String?
    /// Sent as `Authorization: Bearer …` when set (local servers need none).
    public var apiKey: String?
    /// Seconds one HTTP attempt may take, connection to last byte. 120: a 2-core CPU server
    /// writing a few hundred tokens at 5–20 tokens/s.
    public var timeoutSeconds: Double = 120
    /// Extra attempts after a timeout, connection failure, HTTP 408/425/429 or 5xx.
    public var maxRetries: Int = 3
    /// Wait before the first retry; doubled each retry up to `maxBackoffSeconds` (a server's
    /// `Retry-After` in seconds is honoured up to the same cap).
    public var initialBackoffSeconds: Double = 0.5
    public var maxBackoffSeconds: Double = 8
    /// Sampling: nil leaves the server's default.
    public var temperature: Double?
    public var maxTokens: Int?
    /// Sent as `seed` (honoured by llama.cpp, vLLM and OpenAI) so sampled episodes can repeat.
    public var seed: Int?
    public var toolCalling: ToolCallingMode = .auto
    /// In `hermes` mode, describe the tools in the system message in the Hermes format. Off when
    /// the system prompt already teaches the model another text format for its calls.
    public var describesToolsInText = true

    /// The environment variable an API key is read from by default.
    public static let defaultAPIKeyVariable = "OPENAI_API_KEY"

    public init(baseURL: URL, model: String? = nil, apiKey: String? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
    }

    /// Parses a policy spec `openai:URL[#MODEL]` (e.g. `openai:http://127.0.0.1:8080/v1#qwen2.5`);
    /// the API key comes from the environment variable `apiKeyVariable` when it is set.
    public static func parse(policySpec spec: String, environment: [String: String] = ProcessInfo.processInfo.environment, apiKeyVariable: String = defaultAPIKeyVariable) throws(RemotePolicyError) -> OpenAIChatConfiguration {
        guard spec.hasPrefix("openai:") else {
            throw .configuration("'\(spec)' is not an OpenAI policy spec; write openai:URL[#MODEL], e.g. openai:http://127.0.0.1:8080/v1#qwen2.5")
        }
        var rest = String(spec.dropFirst("openai:".count))
        var model: String?
        if let hash = rest.lastIndex(of: "#") {
            model = String(rest[rest.index(after: hash)...])
            rest = String(rest[..<hash])
            if model!.isEmpty { model = nil }
        }
        guard let url = URL(string: rest), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw .configuration("'\(rest)' is not an http(s) URL; write openai:http://HOST:PORT/v1[#MODEL]")
        }
        var configuration = OpenAIChatConfiguration(baseURL: url, model: model)
        if let key = environment[apiKeyVariable], !key.isEmpty { configuration.apiKey = key }
        return configuration
    }

    /// `<base>/chat/completions` (a base that already ends in it is used as is).
    public var completionsURL: URL {
        baseURL.path.hasSuffix("/chat/completions") ? baseURL : baseURL.appendingPathComponent("chat/completions")
    }

    /// `<base>/models`.
    public var modelsURL: URL {
        let base = baseURL.path.hasSuffix("/chat/completions") ? baseURL.deletingLastPathComponent().deletingLastPathComponent() : baseURL
        return base.appendingPathComponent("models")
    }
}
