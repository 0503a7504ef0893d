import Foundation
import SearchIndex
import ToolSandbox

/// The built-in `python` tool: runs code in the episode's sandbox session, so variables and
/// imports persist across turns of one episode (and never leak into the next).
public struct PythonTool: Tool {
    public let pool: SandboxPool
    public var name: String { "python" }
    public var description: String { "Run Python 3 code (numpy, sympy available); print what you need to see. Variables persist between calls in this episode." }
    public var argumentsSchema: JSONValue { objectSchema([("code", "string", "Python source to run.")], required: ["code"]) }

    public init(pool: SandboxPool) {
        self.pool = pool
    }

    public func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult {
        guard case .string(let code)? = arguments["code"] else { return ToolResult(text: "python error: \"code\" must be a string.", isError: true) }
        let (session, restarted) = try await context.episode.pythonSession(in: pool)
        let result: SandboxResult
        do {
            result = try await session.run(code: code)
        } catch {
            throw ToolInfrastructureError(tool: name, detail: "\(error)")
        }
        if result.exitCode == nil && result.signal == nil && !result.timedOut && !result.outputTruncated, let error = result.error {
            // Nothing ran: the sandbox itself failed, not the model's code.
            throw ToolInfrastructureError(tool: name, detail: error)
        }
        var text = restarted ? "(the previous Python session ended after hitting a limit; this is a fresh one, earlier variables are gone)\n" : ""
        text += result.stdout + result.stderr
        if result.timedOut { text += "\n(timed out: the code ran past the \(Int(session.limits.timeoutSeconds)) s limit and was stopped)" }
        if result.outputTruncated { text += "\n(output cap reached: the code was stopped)" }
        if let signal = result.signal, !result.timedOut { text += "\n(killed by \(signal))" }
        if text.isEmpty { text = "(no output; use print() to see values)" }
        return ToolResult(text: text, isError: !result.ok)
    }
}

/// The built-in `search` tool over a `SearchIndex` (the bundled knowledge index by default).
public struct SearchEnvironmentTool: Tool {
    public let search: SearchTool
    public var name: String { SearchTool.name }
    public var description: String { SearchTool.description }
    public var argumentsSchema: JSONValue { decodeJSON(SearchTool.argumentsSchema) ?? .object([:]) }

    public init(search: SearchTool) {
        self.search = search
    }

    public func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult {
        do {
            let output = try search.call(arguments: arguments.mapValues(\.foundationValue))
            return ToolResult(text: output.text, isError: output.isError)
        } catch {
            throw ToolInfrastructureError(tool: name, detail: "the search index failed: \(error)")
        }
    }
}

/// A function of the environment's tools.py, called in a fresh sandbox child; the current task
/// record is passed as `task` when the function takes it. A function that raises is a broken
/// tool (infrastructure), so tools should return an explanatory string for bad input instead.
public struct PythonFunctionTool: Tool {
    public let bridge: PythonBridge
    public let descriptorValue: ToolDescriptor
    public var name: String { descriptorValue.name }
    public var description: String { descriptorValue.description }
    public var argumentsSchema: JSONValue { descriptorValue.argumentsSchema }

    public init(bridge: PythonBridge, descriptor: ToolDescriptor) {
        self.bridge = bridge
        self.descriptorValue = descriptor
    }

    public func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult {
        var arguments = arguments
        if bridge.takesTask.contains(name) { arguments["task"] = context.task.json }
        let result = try await bridge.pool.callTool(name: name, arguments: arguments)
        guard result.ok, let value = result.value else {
            let detail = result.error ?? "no value"
            throw ToolInfrastructureError(tool: name, detail: "tools.py \(name)() failed: \(detail)\(result.stderr.isEmpty ? "" : "\n" + String(result.stderr.suffix(600)))")
        }
        if case .string(let text) = value { return ToolResult(text: text) }
        return ToolResult(text: encodeJSON(value))
    }
}

/// A tool that does nothing and answers "ok" (step-overhead benchmarks, tests).
public struct NoOpTool: Tool {
    public var name: String { "noop" }
    public var description: String { "Does nothing; returns ok." }
    public var argumentsSchema: JSONValue { objectSchema([("text", "string", "Ignored.")], required: ["text"]) }

    public init() {}

    public func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult {
        ToolResult(text: "ok")
    }
}

extension JSONValue {
    /// The value as Foundation objects (`NSNumber`, `String`, arrays, dictionaries, `NSNull`).
    var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return NSNumber(value: value)
        case .int(let value): return NSNumber(value: value)
        case .double(let value): return NSNumber(value: value)
        case .string(let value): return value
        case .array(let values): return values.map(\.foundationValue)
        case .object(let values): return values.mapValues(\.foundationValue)
        }
    }
}
