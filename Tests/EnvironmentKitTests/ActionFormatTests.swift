import Testing
import ToolSandbox
@testable import EnvironmentKit

let pythonTool = PythonToolDescriptor.value
enum PythonToolDescriptor {
    static let value = ToolDescriptor(name: "python", description: "run", argumentsSchema: objectSchema([("code", "string", "")], required: ["code"]))
}
let searchTool = ToolDescriptor(
    name: "search", description: "find",
    argumentsSchema: .object(["type": .string("object"), "properties": .object(["query": .object(["type": .string("string")]), "k": .object(["type": .string("integer")])]), "required": .array([.string("query")])]))
let pairTool = ToolDescriptor(name: "pair", description: "two", argumentsSchema: objectSchema([("a", "integer", ""), ("b", "integer", "")], required: ["a", "b"]))
let allTools = [pythonTool, searchTool, pairTool]

@Suite struct TagFormatTests {
    let format = TagActionFormat()

    @Test func oneCallWithSurroundingText() {
        let parsed = format.parse("Let me compute.\n<python>\nprint(1 + 1)\n</python>", tools: allTools)
        #expect(parsed.formatError == nil)
        #expect(parsed.toolCalls == [ToolCall(name: "python", arguments: ["code": .string("print(1 + 1)")])])
        #expect(parsed.answer == nil)
    }

    @Test func severalCallsInOrderAndAnswer() {
        let parsed = format.parse("<search>capital of Peru</search><python>x=1</python><pair>{\"a\": 1, \"b\": 2}</pair><answer> Lima </answer>", tools: allTools)
        #expect(parsed.toolCalls.map(\.name) == ["search", "python", "pair"])
        #expect(parsed.toolCalls[0].arguments == ["query": .string("capital of Peru")])
        #expect(parsed.toolCalls[2].arguments == ["a": .int(1), "b": .int(2)])
        #expect(parsed.answer == "Lima")
    }

    @Test func searchTakesJSONWhenGiven() {
        let parsed = format.parse("<search>{\"query\": \"Peru\", \"k\": 2}</search>", tools: allTools)
        #expect(parsed.toolCalls.first?.arguments == ["query": .string("Peru"), "k": .int(2)])
    }

    @Test func tagsInsideCodeAreCode() {
        let parsed = format.parse("<python>print('<answer>no</answer>')</python>", tools: allTools)
        #expect(parsed.toolCalls.count == 1)
        #expect(parsed.answer == nil)
        #expect(parsed.toolCalls[0].arguments["code"] == .string("print('<answer>no</answer>')"))
    }

    @Test func malformedUtterancesGiveFormatErrors() {
        for text in ["", "just text", "<python>print(1)", "<answer>a</answer><answer>b</answer>", "<pair>not json</pair>", "<unknown>x</unknown>"] {
            let parsed = format.parse(text, tools: allTools)
            #expect(parsed.formatError != nil, "\(text)")
            #expect(parsed.formatError?.contains("Expected") == true)
            #expect(parsed.toolCalls.isEmpty && parsed.answer == nil)
        }
        #expect(format.parse("<python>x", tools: allTools).formatError?.contains("never closed") == true)
    }

    @Test func renderRoundTrips() {
        for call in [ToolCall(name: "python", arguments: ["code": .string("print(2)\n")]), ToolCall(name: "pair", arguments: ["a": .int(3), "b": .int(4)])] {
            #expect(format.parse(format.render(call, tools: allTools), tools: allTools).toolCalls == [call])
        }
    }
}

@Suite struct HermesFormatTests {
    let format = HermesActionFormat()

    @Test func callsAndAnswer() {
        let text = """
            <tool_call>{"name": "python", "arguments": {"code": "print(1)"}}</tool_call>
            <tool_call>{"name": "search", "arguments": "{\\"query\\": \\"Peru\\"}"}</tool_call>
            """
        let parsed = format.parse(text, tools: allTools)
        #expect(parsed.formatError == nil)
        #expect(parsed.toolCalls == [ToolCall(name: "python", arguments: ["code": .string("print(1)")]), ToolCall(name: "search", arguments: ["query": .string("Peru")])])
        #expect(format.parse("<answer>42</answer>", tools: allTools).answer == "42")
    }

    @Test func malformed() {
        let cases = [
            "<tool_call>{not json}</tool_call>": "not a JSON object",
            "<tool_call>{\"arguments\": {}}</tool_call>": "missing \"name\"",
            "<tool_call>{\"name\": \"rm\", \"arguments\": {}}</tool_call>": "unknown tool",
            "<tool_call>{\"name\": \"python\", \"arguments\": 3}</tool_call>": "must be a JSON object",
            "<tool_call>{\"name\": \"python\"": "never closed",
        ]
        for (text, expected) in cases {
            let error = format.parse(text, tools: allTools).formatError
            #expect(error?.contains(expected) == true, "\(text) → \(error ?? "nil")")
        }
    }

    @Test func renderRoundTrips() {
        let call = ToolCall(name: "pair", arguments: ["a": .int(1), "b": .int(2)])
        #expect(format.parse(format.render(call, tools: allTools), tools: allTools).toolCalls == [call])
    }
}

/// Random utterances assembled from fragments of both formats, plus random bytes: parsing must
/// never crash, and every result is either calls/answer or a format error (never both).
@Test func fuzzBothFormats() {
    let fragments = ["<python>", "</python>", "<answer>", "</answer>", "<search>", "</search>", "<pair>", "</pair>", "<tool_call>", "</tool_call>",
                     "{", "}", "\"name\"", ":", "\"python\"", "\"arguments\"", "{\"code\": \"x\"}", "<", ">", "</", "print(1)", "\n", "é", "🙂", "\\", "\"", "\u{0}"]
    var rng = SystemRandomNumberGeneratorSeeded(seed: 42)
    for format in [TagActionFormat() as any ActionFormat, HermesActionFormat()] {
        for _ in 0..<5_000 {
            let count = Int(rng.next() % 12)
            var text = ""
            for _ in 0..<count {
                if rng.next() % 10 == 0 {
                    text += String(decoding: (0..<(rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, as: UTF8.self)
                } else {
                    text += fragments[Int(rng.next() % UInt64(fragments.count))]
                }
            }
            let parsed = format.parse(text, tools: allTools)
            if parsed.formatError != nil {
                #expect(parsed.toolCalls.isEmpty && parsed.answer == nil)
            } else {
                #expect(!parsed.toolCalls.isEmpty || parsed.answer != nil)
            }
        }
    }
}

/// SplitMix64 as a generator, for reproducible fuzzing.
struct SystemRandomNumberGeneratorSeeded: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 1
        return splitMix64(state)
    }
}
