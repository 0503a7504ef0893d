import ToolSandbox

/// The OpenAPI 3.1 document at `GET /openapi.json`. `info.version` is the OpenEnv HTTP API
/// version this server speaks ("1.0.0", what `openenv validate` reads as profile
/// openenv-http/1.x); the presence of /reset, /step and /state marks simulation mode.
enum OpenAPIDocument {
    static let apiVersion = "1.0.0"

    static func json(body: JSONValue) -> JSONValue {
        .object(["required": .bool(true), "content": .object(["application/json": .object(["schema": body])])])
    }

    static func operation(_ summary: String, response: JSONValue, request: JSONValue? = nil, errors: [String: String] = [:]) -> JSONValue {
        var responses: [String: JSONValue] = ["200": .object(["description": .string("OK"), "content": .object(["application/json": .object(["schema": response])])])]
        for (status, description) in errors { responses[status] = .object(["description": .string(description)]) }
        var fields: [String: JSONValue] = ["summary": .string(summary), "responses": .object(responses)]
        if let request { fields["requestBody"] = json(body: request) }
        return .object(fields)
    }

    static func document(environment: String, description: String) -> JSONValue {
        let any: JSONValue = .object(["type": .string("object")])
        let paths: [String: JSONValue] = [
            "/health": .object(["get": operation("Health check", response: Schemas.object("HealthResponse", ["status": Schemas.type("string", "healthy")], required: ["status"], additional: false))]),
            "/metadata": .object(["get": operation("Environment metadata (name, description, version, README)", response: any)]),
            "/schema": .object(["get": operation("JSON Schemas of action, observation and state", response: any)]),
            "/reset": .object(["post": operation("Start an episode on a fresh environment and return its first observation", response: Schemas.result, request: Schemas.resetRequest, errors: ["422": "Invalid reset fields"])]),
            "/step": .object(["post": operation("Run one action as the first step of the episode the request's seed picks (stateless; use /ws for whole episodes)", response: Schemas.result, request: Schemas.stepRequest, errors: ["422": "Invalid action"])]),
            "/state": .object(["get": operation("State of a fresh environment (sessions live on /ws)", response: Schemas.state)]),
            "/mcp": .object(["post": operation("MCP JSON-RPC 2.0: tools/list, tools/call", response: any, request: any)]),
            "/metrics": .object(["get": operation("Server counts: sessions, resets, steps, errors", response: any)]),
            "/ws": .object(["get": operation("WebSocket upgrade: one environment session per connection (OpenEnv's reset/step/state/close/mcp messages)", response: any)]),
        ]
        return .object([
            "openapi": .string("3.1.0"),
            "info": .object([
                "title": .string("TurnRL environment server: \(environment)"), "version": .string(apiVersion),
                "description": .string("OpenEnv-compatible HTTP/WebSocket API for the TurnRL environment \(environment). \(description)"),
            ]),
            "paths": .object(paths),
        ])
    }
}
