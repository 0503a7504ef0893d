import ToolSandbox

/// A tool's public face: what the model is told about it.
public struct ToolDescriptor: Sendable, Equatable {
    public var name: String
    public var description: String
    /// JSON Schema of the arguments: `{"type":"object","properties":{...},"required":[...]}`.
    public var argumentsSchema: JSONValue

    public init(name: String, description: String, argumentsSchema: JSONValue) {
        self.name = name
        self.description = description
        self.argumentsSchema = argumentsSchema
    }

    /// Parameter names and their JSON types (nil type: anything), in schema order by name.
    public var parameters: [(name: String, type: String?)] {
        guard case .object(let schema) = argumentsSchema, case .object(let properties)? = schema["properties"] else { return [] }
        return properties.keys.sorted().map { key in
            if case .object(let property)? = properties[key], case .string(let type)? = property["type"] { return (key, type) }
            return (key, nil)
        }
    }

    /// Required parameter names.
    public var required: [String] {
        guard case .object(let schema) = argumentsSchema, case .array(let names)? = schema["required"] else { return [] }
        return names.compactMap { if case .string(let name) = $0 { return name } else { return nil } }
    }

    /// The parameter a tag body fills when it is not a JSON object: the only parameter if it is
    /// a string, else the only required parameter if it is a string (`search`'s `query`).
    public var primaryStringParameter: String? {
        let parameters = self.parameters
        if parameters.count == 1, parameters[0].type == "string" || parameters[0].type == nil { return parameters[0].name }
        let required = self.required
        if required.count == 1, let match = parameters.first(where: { $0.name == required[0] }), match.type == "string" { return match.name }
        return nil
    }

    /// Why `arguments` do not fit the schema (for the model to fix), or nil when they do.
    public func problem(with arguments: [String: JSONValue]) -> String? {
        let parameters = self.parameters
        let known = Set(parameters.map(\.name))
        let unknown = arguments.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            return "tool \(name): unknown argument(s) \(unknown.joined(separator: ", ")); it takes \(parameters.map(\.name).joined(separator: ", "))"
        }
        let missing = required.filter { arguments[$0] == nil }
        if !missing.isEmpty { return "tool \(name): missing required argument(s) \(missing.joined(separator: ", "))" }
        for (key, type) in parameters {
            guard let type, let value = arguments[key] else { continue }
            if !Self.value(value, matches: type) {
                return "tool \(name): argument \(key) must be \(type), got \(Self.typeName(value))"
            }
        }
        return nil
    }

    static func value(_ value: JSONValue, matches type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("integer", .int), ("number", .int), ("number", .double), ("boolean", .bool),
             ("array", .array), ("object", .object), ("null", .null):
            return true
        case ("integer", .double(let number)):
            return number == number.rounded()
        default:
            return false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// What a tool call gave back.
public struct ToolResult: Sendable, Equatable {
    /// The text shown to the model (before the observation cap).
    public var text: String
    /// The call itself was wrong (bad code, bad arguments, a limit hit): the model's mistake,
    /// shown to it. Infrastructure failures are thrown instead.
    public var isError: Bool

    public init(text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// What a tool may use besides its arguments: the episode's task and seed, and per-episode
/// resources such as the Python session.
public struct ToolContext: Sendable {
    public var task: TaskRecord
    public var seed: UInt64
    public var episode: EpisodeResources

    public init(task: TaskRecord, seed: UInt64, episode: EpisodeResources) {
        self.task = task
        self.seed = seed
        self.episode = episode
    }
}

/// A tool the model can call. `call` returns `ToolResult` for everything the model caused
/// (including its errors) and throws only when the tool itself is broken (sandbox died, index
/// unreadable, a Python tool that raised): the environment then reports `infraError`.
public protocol Tool: Sendable {
    var name: String { get }
    var description: String { get }
    /// JSON Schema of the arguments.
    var argumentsSchema: JSONValue { get }
    func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult
}

extension Tool {
    public var descriptor: ToolDescriptor { ToolDescriptor(name: name, description: description, argumentsSchema: argumentsSchema) }
}

/// A tool failed for reasons that are not the model's (the environment reports `infraError`).
public struct ToolInfrastructureError: Error, CustomStringConvertible, Sendable {
    public var tool: String
    public var detail: String

    public init(tool: String, detail: String) {
        self.tool = tool
        self.detail = detail
    }

    public var description: String { "tool \(tool) failed (infrastructure, not the model): \(detail)" }
}

/// Builds the common `{"type":"object",...}` schema.
public func objectSchema(_ properties: [(name: String, type: String, description: String)], required: [String]) -> JSONValue {
    var props: [String: JSONValue] = [:]
    for property in properties {
        props[property.name] = .object(["type": .string(property.type), "description": .string(property.description)])
    }
    return .object(["type": .string("object"), "properties": .object(props), "required": .array(required.map { .string($0) })])
}
