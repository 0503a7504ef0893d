import Foundation
import ToolSandbox

/// The action formats an environment can ask for.
public enum ActionFormatKind: String, Sendable, Equatable, CaseIterable {
    /// `<python>code</python>`, `<search>query</search>`, `<answer>text</answer>` (default; suits
    /// small models).
    case tags
    /// Hermes/Qwen: `<tool_call>{"name": …, "arguments": {…}}</tool_call>`, answers as `<answer>`.
    case hermes

    /// The parser for this format.
    public var parser: any ActionFormat {
        switch self {
        case .tags: return TagActionFormat()
        case .hermes: return HermesActionFormat()
        }
    }
}

/// What one utterance asks for: tool calls in order, a final answer, or why it could not be read.
public struct ParsedUtterance: Sendable, Equatable {
    public var toolCalls: [ToolCall]
    public var answer: String?
    /// Set when the utterance is malformed; `toolCalls` and `answer` are then empty.
    public var formatError: String?

    public init(toolCalls: [ToolCall] = [], answer: String? = nil, formatError: String? = nil) {
        self.toolCalls = toolCalls
        self.answer = answer
        self.formatError = formatError
    }

    static func error(_ message: String) -> ParsedUtterance { ParsedUtterance(formatError: message) }
}

/// Turns an utterance into tool calls / an answer, and renders calls back (for experts, docs).
/// `parse` never throws: anything malformed is a `formatError` that explains the expected form.
public protocol ActionFormat: Sendable {
    var kind: ActionFormatKind { get }
    func parse(_ utterance: String, tools: [ToolDescriptor]) -> ParsedUtterance
    /// The utterance text that makes `call` in this format.
    func render(_ call: ToolCall, tools: [ToolDescriptor]) -> String
    /// One paragraph telling a model how to write actions with these tools.
    func instructions(tools: [ToolDescriptor]) -> String
}

extension ActionFormat {
    /// `<answer>text</answer>` (the same in every format).
    public func renderAnswer(_ text: String) -> String { "<answer>\(text)</answer>" }
}

/// Finds `<name>…</name>` blocks left to right; the body of one block is never searched for
/// others, so `<python>print("<answer>")</python>` is one python call. Works on the UTF-8
/// bytes (this is the hot path of every step).
struct TagScanner {
    struct Block {
        var name: String
        var body: String
    }

    /// Blocks whose names are in `names`, or an error for an opening tag without its closing tag.
    static func blocks(in text: String, names: Set<String>) -> Result<[Block], TagProblem> {
        var text = text
        return text.withUTF8 { bytes in
            var blocks: [Block] = []
            var position = 0
            let count = bytes.count
            while position < count {
                guard let open = index(of: UInt8(ascii: "<"), in: bytes, from: position) else { break }
                guard let close = index(of: UInt8(ascii: ">"), in: bytes, from: open + 1) else { break }
                // Tag names are short identifiers; anything longer is not a tag of ours.
                guard close - open - 1 <= 64, close > open + 1 else {
                    position = open + 1
                    continue
                }
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(open + 1)..<close]), as: UTF8.self)
                guard names.contains(name) else {
                    position = open + 1
                    continue
                }
                guard let end = find(closingTagOf: bytes[(open + 1)..<close], in: bytes, from: close + 1) else {
                    return .failure(TagProblem(message: "<\(name)> is opened but never closed with </\(name)>"))
                }
                let body = String(decoding: UnsafeBufferPointer(rebasing: bytes[(close + 1)..<end]), as: UTF8.self)
                blocks.append(Block(name: name, body: body))
                position = end + 3 + (close - open - 1)
            }
            return .success(blocks)
        }
    }

    private static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// Offset of `</name>` at or after `start`.
    private static func find(closingTagOf name: Slice<UnsafeBufferPointer<UInt8>>, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let length = name.count + 3
        var i = start
        while i + length <= bytes.count {
            if bytes[i] == UInt8(ascii: "<"), bytes[i + 1] == UInt8(ascii: "/"), bytes[i + length - 1] == UInt8(ascii: ">") {
                var same = true
                var j = 0
                for byte in name {
                    if bytes[i + 2 + j] != byte {
                        same = false
                        break
                    }
                    j += 1
                }
                if same { return i }
            }
            i += 1
        }
        return nil
    }

    /// Strips one leading and one trailing newline (the natural way to write a block on its own lines).
    static func trimmedBody(_ body: String) -> String {
        var text = Substring(body)
        if text.hasPrefix("\r\n") { text = text.dropFirst(2) } else if text.hasPrefix("\n") { text = text.dropFirst() }
        if text.hasSuffix("\r\n") { text = text.dropLast(2) } else if text.hasSuffix("\n") { text = text.dropLast() }
        return String(text)
    }
}

struct TagProblem: Error {
    var message: String
}

/// Decodes a JSON text into `JSONValue` (nil when it is not JSON).
func decodeJSON(_ text: String) -> JSONValue? {
    try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

/// Encodes a JSON value compactly with sorted keys (stable for logs and rendering).
func encodeJSON(_ value: JSONValue) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
}

/// Combines the answer and tool blocks into a parse result (shared by both formats).
func assemble(calls: [ToolCall], answers: [String], expected: () -> String) -> ParsedUtterance {
    if answers.count > 1 { return .error("found \(answers.count) <answer> blocks; give exactly one final answer. \(expected())") }
    if calls.isEmpty && answers.isEmpty { return .error("no tool call and no <answer> found. \(expected())") }
    return ParsedUtterance(toolCalls: calls, answer: answers.first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
}

/// The compact tag format: `<toolname>body</toolname>` per call, `<answer>…</answer>` to finish.
/// A tool whose only (or only required) parameter is a string takes the body as that
/// parameter; other tools take a JSON object as the body.
public struct TagActionFormat: ActionFormat {
    public var kind: ActionFormatKind { .tags }

    public init() {}

    public func parse(_ utterance: String, tools: [ToolDescriptor]) -> ParsedUtterance {
        var byName: [String: ToolDescriptor] = [:]
        for tool in tools where byName[tool.name] == nil { byName[tool.name] = tool }
        let expected = { expectedForm(tools: tools) }
        var names = Set(byName.keys)
        names.insert("answer")
        let blocks: [TagScanner.Block]
        switch TagScanner.blocks(in: utterance, names: names) {
        case .success(let found): blocks = found
        case .failure(let problem): return .error("\(problem.message). \(expected())")
        }
        var calls: [ToolCall] = []
        var answers: [String] = []
        for block in blocks {
            if block.name == "answer" {
                answers.append(block.body)
                continue
            }
            let tool = byName[block.name]!
            let body = TagScanner.trimmedBody(block.body)
            let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
            let onlyParameter = tool.parameters.count == 1 ? tool.primaryStringParameter : nil
            if let onlyParameter {
                calls.append(ToolCall(name: tool.name, arguments: [onlyParameter: .string(body)]))
            } else if trimmed.hasPrefix("{"), case .object(let arguments)? = decodeJSON(trimmed) {
                calls.append(ToolCall(name: tool.name, arguments: arguments))
            } else if let primary = tool.primaryStringParameter {
                calls.append(ToolCall(name: tool.name, arguments: [primary: .string(trimmed)]))
            } else {
                return .error("the body of <\(tool.name)> must be a JSON object of its arguments (\(tool.parameters.map(\.name).joined(separator: ", "))). \(expected())")
            }
        }
        return assemble(calls: calls, answers: answers, expected: expected)
    }

    public func render(_ call: ToolCall, tools: [ToolDescriptor]) -> String {
        let tool = tools.first { $0.name == call.name }
        if let tool, let primary = tool.primaryStringParameter, call.arguments.count == 1, case .string(let text)? = call.arguments[primary] {
            // Parsing strips one newline at each end of a body, so a body with one there is wrapped.
            let wrapped = text.hasPrefix("\n") || text.hasSuffix("\n") || text.hasPrefix("\r\n") ? "\n\(text)\n" : text
            return "<\(call.name)>\(wrapped)</\(call.name)>"
        }
        return "<\(call.name)>\(encodeJSON(.object(call.arguments)))</\(call.name)>"
    }

    public func instructions(tools: [ToolDescriptor]) -> String {
        var lines = ["Call a tool by writing <name>input</name>; several calls per turn run in order. Finish with <answer>your answer</answer>."]
        for tool in tools {
            let input = tool.primaryStringParameter.map { "\($0) as text" } ?? "a JSON object with \(tool.parameters.map(\.name).joined(separator: ", "))"
            lines.append("<\(tool.name)>…</\(tool.name)>: \(tool.description) (input: \(input))")
        }
        return lines.joined(separator: "\n")
    }

    func expectedForm(tools: [ToolDescriptor]) -> String {
        let names = tools.map { "<\($0.name)>…</\($0.name)>" }
        return "Expected: " + (names + ["<answer>…</answer>"]).joined(separator: " or ") + "."
    }
}

/// Hermes / Qwen tool calls: `<tool_call>{"name": "python", "arguments": {"code": "…"}}</tool_call>`
/// (arguments may also be a JSON-encoded string, as OpenAI APIs send them); final answers as
/// `<answer>…</answer>`.
public struct HermesActionFormat: ActionFormat {
    public var kind: ActionFormatKind { .hermes }

    public init() {}

    public func parse(_ utterance: String, tools: [ToolDescriptor]) -> ParsedUtterance {
        let known = Set(tools.map(\.name))
        let expected = { "Expected: <tool_call>{\"name\": \"<tool>\", \"arguments\": {…}}</tool_call> (tools: \(tools.map(\.name).joined(separator: ", "))) or <answer>…</answer>." }
        let blocks: [TagScanner.Block]
        switch TagScanner.blocks(in: utterance, names: ["tool_call", "answer"]) {
        case .success(let found): blocks = found
        case .failure(let problem): return .error("\(problem.message). \(expected())")
        }
        var calls: [ToolCall] = []
        var answers: [String] = []
        for (index, block) in blocks.enumerated() {
            if block.name == "answer" {
                answers.append(block.body)
                continue
            }
            let where_ = "tool call \(index + 1)"
            guard case .object(let object)? = decodeJSON(block.body.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                return .error("\(where_): the body of <tool_call> is not a JSON object. \(expected())")
            }
            guard case .string(let name)? = object["name"] else {
                return .error("\(where_): missing \"name\" (a string). \(expected())")
            }
            guard known.contains(name) else {
                return .error("\(where_): unknown tool \"\(name)\". \(expected())")
            }
            var arguments: [String: JSONValue] = [:]
            switch object["arguments"] {
            case .object(let value)?: arguments = value
            case .string(let text)?:
                guard case .object(let value)? = decodeJSON(text) else {
                    return .error("\(where_): \"arguments\" is a string that is not a JSON object. \(expected())")
                }
                arguments = value
            case nil, .null?: arguments = [:]
            default: return .error("\(where_): \"arguments\" must be a JSON object. \(expected())")
            }
            calls.append(ToolCall(name: name, arguments: arguments))
        }
        return assemble(calls: calls, answers: answers, expected: expected)
    }

    public func render(_ call: ToolCall, tools: [ToolDescriptor]) -> String {
        "<tool_call>\(encodeJSON(.object(["name": .string(call.name), "arguments": .object(call.arguments)])))</tool_call>"
    }

    public func instructions(tools: [ToolDescriptor]) -> String {
        var lines = ["Call tools with <tool_call>{\"name\": …, \"arguments\": {…}}</tool_call> (several per turn run in order). Finish with <answer>your answer</answer>.", "Tools:"]
        for tool in tools {
            lines.append(encodeJSON(.object(["name": .string(tool.name), "description": .string(tool.description), "parameters": tool.argumentsSchema])))
        }
        return lines.joined(separator: "\n")
    }
}
