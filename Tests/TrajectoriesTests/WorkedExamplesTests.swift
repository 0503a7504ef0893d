import EnvironmentKit
import Testing
import ToolSandbox
@testable import Trajectories

/// Worked examples (few-shot prompting): successful expert episodes, pinned as chat turns.
@Suite struct WorkedExamplesTests {
    /// A tool that doubles an integer.
    struct DoubleTool: Tool {
        var name: String { "double" }
        var description: String { "Doubles n." }
        var argumentsSchema: JSONValue { objectSchema([("n", "integer", "")], required: ["n"]) }
        func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult {
            guard case .int(let n)? = arguments["n"] else { return ToolResult(text: "no n", isError: true) }
            return ToolResult(text: String(2 * n))
        }
    }

    /// "Double k": the expert calls the tool, then answers with its result — right on even seeds
    /// only (odd seeds answer 0), so only some of its episodes may serve as examples.
    func doublingProvider() -> NativeEnvironment {
        let tasks = (0..<6).map { k in TaskRecord(id: "d\(k)", kind: "double", prompt: "Double \(k + 1).", answer: .string(String(2 * (k + 1)))) }
        let spec = EnvironmentSpec(name: "doubling", systemPrompt: "Use the tool.", tools: [DoubleTool().descriptor], actionFormat: .hermes, maxTurns: 3)
        let expert = ScriptedExpert { task, messages, seed in
            guard let result = messages.last, result.role == .tool else {
                let n = task.prompt.dropFirst("Double ".count).dropLast()
                return "<tool_call>{\"name\": \"double\", \"arguments\": {\"n\": \(n)}}</tool_call>"
            }
            let value = result.content.filter(\.isNumber)
            return "<answer>\(seed % 2 == 0 ? value : "0")</answer>"
        }
        return NativeEnvironment(spec: spec, tasks: TaskSet(train: tasks, test: tasks), tools: [DoubleTool()], verifier: ExactMatchVerifier(), expert: expert)
    }

    @Test func examplesAreWholeSuccessfulExpertEpisodesWithoutTheSystemPrompt() async throws {
        let provider = doublingProvider()
        let examples = try await WorkedExamples.fromExpert(provider, count: 2)
        // Two episodes (seeds 0 and 2), each: task, tool call, tool result, answer.
        #expect(examples.map(\.role) == [.user, .assistant, .tool, .assistant, .user, .assistant, .tool, .assistant])
        #expect(examples[0].content.hasPrefix("Double "))
        #expect(examples[1].content.contains("\"double\""))
        #expect(examples[3].content.hasPrefix("<answer>") && examples[3].content != "<answer>0</answer>")
        #expect(try await WorkedExamples.fromExpert(provider, count: 2) == examples, "deterministic")
        await #expect(throws: EnvironmentError.self) { try await WorkedExamples.fromExpert(provider, count: 4, maxAttempts: 6) }
    }

    @Test func theProviderCarriesTheExamplesAndTheBuilderPinsThemAfterTheSystemPrompt() async throws {
        let examples = try await WorkedExamples.fromExpert(doublingProvider(), count: 1)
        let provider = WorkedExamples.provider(doublingProvider(), examples: examples)
        #expect(provider.spec.context.examples == examples)
        #expect(provider.tasks.train.count == 6 && provider.expert != nil)

        let tokenizer = ByteChatTokenizer()
        var settings = provider.spec.context
        settings.budgetTokens = 400
        settings.compaction = .truncate
        var builder = ContextBuilder(
            system: "Use the tool.", task: "Double 9.", tokenizer: tokenizer,
            configuration: ContextBuilderConfiguration(settings: settings, perTurnMaxNewTokens: 64))
        let expected = [ChatMessage(role: .system, content: "Use the tool.")] + examples + [ChatMessage(role: .user, content: "Double 9.")]
        guard case let .generate(tokens, messages, _, _) = builder.nextAction() else { Issue.record("no room"); return }
        #expect(messages == expected)
        #expect(tokens == expected.flatMap { tokenizer.tokens(for: $0) } + tokenizer.replyOpening)
        // Truncation drops the episode's own turns, never the examples.
        for turn in 0..<8 {
            guard case .generate = builder.nextAction() else { break }
            let reply = String(repeating: "x", count: 40)
            builder.record(reply: reply, generatedTokens: reply.utf8.map { Int32($0) }, observation: [ChatMessage(role: .tool, content: "obs \(turn)")])
        }
        #expect(builder.droppedTurns > 0)
        #expect(Array(builder.messages.prefix(expected.count)) == expected)
    }

    @Test func withExamplesInsertsThemAfterTheSystemMessage() {
        let examples = [ChatMessage(role: .user, content: "Q"), ChatMessage(role: .assistant, content: "A")]
        let settings = ContextSettings(examples: examples)
        let episode = [ChatMessage(role: .system, content: "S"), ChatMessage(role: .user, content: "T")]
        #expect(settings.withExamples(episode).map(\.content) == ["S", "Q", "A", "T"])
        #expect(ContextSettings().withExamples(episode) == episode)
    }
}
