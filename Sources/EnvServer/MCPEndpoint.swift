import EnvironmentKit
import ToolSandbox

/// MCP's tool methods over JSON-RPC 2.0 (`POST /mcp`, and `{"type":"mcp"}` WebSocket
/// messages): `tools/list` and `tools/call` on the environment's own tools, so an agent can run
/// the sandboxed Python runner or query the search index directly.
///
/// A tool call needs an episode's task and seed (a tools.py tool may read the secret of the
/// task). On a WebSocket session it is the session's current task; otherwise the task that
/// `params.seed` (default 0) picks from `params.split` (default train), or `params.task_id`.
public struct MCPEndpoint: Sendable {
    /// JSON-RPC 2.0's error codes (the ones OpenEnv uses).
    public enum ErrorCode: Int, Sendable {
        case parseError = -32700, invalidRequest = -32600, methodNotFound = -32601, invalidParams = -32602, internalError = -32603
    }

    let tools: [any Tool]
    let tasks: TaskSet

    public init(tools: [any Tool], tasks: TaskSet) {
        self.tools = tools
        self.tasks = tasks
    }

    /// The reply to one JSON-RPC message (always a JSON-RPC response object, errors included).
    public func handle(_ message: JSONValue, sessionTask: TaskRecord? = nil) async -> JSONValue {
        guard case .object(let request) = message else {
            return Self.error(.invalidRequest, "Invalid Request: a JSON-RPC request is an object", id: .null)
        }
        let id = request["id"] ?? .null
        switch id {
        case .null, .string, .int: break
        default: return Self.error(.invalidRequest, "Invalid Request: id must be a string, an integer or null", id: .null)
        }
        guard request["jsonrpc"] == .string("2.0") else {
            return Self.error(.invalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"", id: id)
        }
        guard case .string(let method)? = request["method"] else {
            return Self.error(.invalidRequest, "Invalid Request: \"method\" must be a string", id: id)
        }
        var params: [String: JSONValue] = [:]
        switch request["params"] {
        case nil, .null?: break
        case .object(let object)?: params = object
        default: return Self.error(.invalidParams, "Params must be an object", id: id)
        }
        switch method {
        case "tools/list":
            return Self.success(.object(["tools": .array(tools.map(Self.describe))]), id: id)
        case "tools/call":
            return await call(params, sessionTask: sessionTask, id: id)
        default:
            return Self.error(.methodNotFound, "Method not found: \(method) (this server has tools/list and tools/call)", id: id)
        }
    }

    /// MCP's tool description: name, description, `inputSchema`.
    static func describe(_ tool: any Tool) -> JSONValue {
        .object(["name": .string(tool.name), "description": .string(tool.description), "inputSchema": tool.argumentsSchema])
    }

    private func call(_ params: [String: JSONValue], sessionTask: TaskRecord?, id: JSONValue) async -> JSONValue {
        guard case .string(let name)? = params["name"] else { return Self.error(.invalidParams, "Missing 'name' in params", id: id) }
        guard let tool = tools.first(where: { $0.name == name }) else {
            return Self.error(.invalidParams, "Tool not found: \(name) (tools: \(tools.map(\.name).joined(separator: ", ")))", id: id)
        }
        var arguments: [String: JSONValue] = [:]
        switch params["arguments"] {
        case nil, .null?: break
        case .object(let object)?: arguments = object
        default: return Self.error(.invalidParams, "'arguments' must be an object", id: id)
        }
        if let problem = tool.descriptor.problem(with: arguments) { return Self.error(.invalidParams, problem, id: id) }
        let chosen: (task: TaskRecord, seed: UInt64)
        do {
            chosen = try pickTask(params, sessionTask: sessionTask)
        } catch {
            return Self.error(.invalidParams, error.message, id: id)
        }
        // A fresh episode per call: a Python tool's session lives for this call only.
        let episode = EpisodeResources()
        let result: ToolResult
        do {
            result = try await tool.call(arguments, context: ToolContext(task: chosen.task, seed: chosen.seed, episode: episode))
        } catch {
            await episode.close()
            return Self.error(.internalError, "\(error)", id: id)
        }
        await episode.close()
        return Self.success(.object(["content": .array([.object(["type": .string("text"), "text": .string(result.text)])]), "isError": .bool(result.isError)]), id: id)
    }

    private func pickTask(_ params: [String: JSONValue], sessionTask: TaskRecord?) throws(WireError) -> (task: TaskRecord, seed: UInt64) {
        let reset = try ResetParameters(params)
        if reset.seed == nil, reset.options.taskID == nil, let sessionTask { return (sessionTask, 0) }
        let seed = reset.seed ?? 0
        let list = tasks.tasks(reset.options.split)
        if let taskID = reset.options.taskID {
            guard let task = list.first(where: { $0.id == taskID }) else {
                throw WireError(.validationError, "no task \(taskID) in the \(reset.options.split.rawValue) split")
            }
            return (task, seed)
        }
        guard let task = tasks.task(seed: seed, split: reset.options.split) else {
            throw WireError(.validationError, "the \(reset.options.split.rawValue) split has no tasks")
        }
        return (task, seed)
    }

    static func success(_ result: JSONValue, id: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
    }

    /// A JSON-RPC error response (OpenEnv's `JsonRpcResponse.error_response`).
    public static func error(_ code: ErrorCode, _ message: String, id: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "error": .object(["code": .int(code.rawValue), "message": .string(message), "data": .null])])
    }
}
