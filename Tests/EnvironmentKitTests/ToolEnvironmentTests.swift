import Foundation
import Testing
import ToolSandbox
@testable import EnvironmentKit

/// A tool that always breaks (infrastructure), to check `infraError`.
struct BrokenTool: Tool {
    var name: String { "broken" }
    var description: String { "Always fails." }
    var argumentsSchema: JSONValue { objectSchema([("text", "string", "")], required: ["text"]) }
    func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult {
        throw ToolInfrastructureError(tool: name, detail: "the backend is down")
    }
}

/// Echoes its input back, repeated `times` times (for the observation cap).
struct EchoTool: Tool {
    var name: String { "echo" }
    var description: String { "Echo." }
    var argumentsSchema: JSONValue { objectSchema([("text", "string", ""), ("times", "integer", "")], required: ["text"]) }
    func call(_ arguments: [String: JSONValue], context: ToolContext) async throws -> ToolResult {
        guard case .string(let text)? = arguments["text"] else { return ToolResult(text: "no text", isError: true) }
        var times = 1
        if case .int(let n)? = arguments["times"] { times = n }
        return ToolResult(text: String(repeating: text, count: times) + " for task \(context.task.id)")
    }
}

struct RaisingVerifier: Verifier {
    var name: String { "raising" }
    func verify(task: TaskRecord, answer: String, trajectory: [ChatMessage]) async throws -> [RewardComponent] {
        throw VerifierError(verifier: name, detail: "cannot score")
    }
}

/// A Swift-native environment: answer the task's word; tools echo, noop and broken.
func nativeProvider(reward: RewardSettings = RewardSettings(formatPenalty: -0.1, perTurn: -0.01), maxTurns: Int? = 3, verifier: any Verifier = ExactMatchVerifier()) -> NativeEnvironment {
    let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    let tasks = TaskSet(
        train: words.enumerated().map { TaskRecord(id: "train-\($0.offset)", kind: $0.offset % 2 == 0 ? "even" : "odd", prompt: "Say \($0.element).", answer: .string($0.element), fields: ["first_action": .string("echo")]) },
        test: words.enumerated().map { TaskRecord(id: "test-\($0.offset)", kind: "all", prompt: "Repeat \($0.element).", answer: .string($0.element)) })
    let spec = EnvironmentSpec(name: "native-words", version: "1.0.0", description: "Say the word.", systemPrompt: "Echo the word, then answer it.", maxTurns: maxTurns)
    let expert = ScriptedExpert { task, messages, _ in
        let word = task.prompt.split(separator: " ")[1].dropLast()
        return messages.count <= 2 ? "<echo>\(word)</echo>" : "<answer>\(word)</answer>"
    }
    return NativeEnvironment(spec: spec, tasks: tasks, tools: [EchoTool(), NoOpTool(), BrokenTool()], verifier: verifier, reward: reward, expert: expert, observationCapChars: 40)
}

@Suite struct ToolEnvironmentTests {
    @Test func episodeWithToolCallAndAnswer() async throws {
        let environment = nativeProvider().makeEnvironment()
        let first = try await environment.reset(seed: 3)
        #expect(first.role == .user && first.text.hasPrefix("Say "))
        let task = try #require(await environment.currentTask)
        let word = String(task.prompt.split(separator: " ")[1].dropLast())
        let step1 = await environment.step("thinking… <echo>\(word)</echo>")
        #expect(!step1.done && step1.reward == -0.01)
        #expect(step1.info.toolCalls.count == 1 && step1.info.toolCalls[0].output == "\(word) for task \(task.id)")
        #expect(step1.info.toolCalls[0].durationMs >= 0)
        #expect(step1.observation.text == "<result name=\"echo\">\(word) for task \(task.id)</result>")
        #expect(step1.info.rewardComponents == [RewardComponent(name: "per_turn", value: -0.01)])
        let step2 = await environment.step("<answer>\(word)</answer>")
        #expect(step2.terminated && !step2.truncated && step2.reward == 1 && step2.info.success == true && step2.info.answer == word)
        let messages = await environment.messages
        #expect(messages.map(\.role) == [.system, .user, .assistant, .tool, .assistant])
        #expect(messages[0].content == "Echo the word, then answer it.")
        let after = await environment.step("<answer>again</answer>")
        #expect(after.truncated && after.info.infraError != nil)
    }

    @Test func formatErrorIsAnObservationWithPenalty() async throws {
        let environment = nativeProvider().makeEnvironment()
        _ = try await environment.reset(seed: 0)
        let result = await environment.step("I think the answer is alpha")
        #expect(!result.done && result.info.formatError != nil)
        #expect(result.observation.text.hasPrefix("<error>") && result.observation.text.contains("<answer>"))
        #expect(result.info.rewardComponents.map(\.name) == ["format_penalty", "per_turn"])
        #expect(abs(result.reward - (-0.11)) < 1e-12)
    }

    @Test func argumentErrorsAreShownNotPenalised() async throws {
        let environment = nativeProvider().makeEnvironment()
        _ = try await environment.reset(seed: 0)
        let result = await environment.step(#"<echo>{"text": "a", "times": "many"}</echo>"#)
        #expect(result.info.formatError == nil && result.info.infraError == nil)
        #expect(result.info.toolCalls.first?.isError == true && result.info.toolCalls.first?.output.contains("times must be integer") == true)
    }

    @Test func timeLimitTruncates() async throws {
        let environment = nativeProvider().makeEnvironment()
        _ = try await environment.reset(seed: 0)
        var results: [StepResult] = []
        for _ in 0..<3 { results.append(await environment.step("<noop>x</noop>")) }
        #expect(results.prefix(2).allSatisfy { !$0.done })
        #expect(results[2].truncated && !results[2].terminated && results[2].info.truncatedBy == "TimeLimit(3)")
        #expect(environment.spec.maxTurns == 3)
    }

    @Test func observationCapSaysWhatWasCut() async throws {
        let environment = nativeProvider().makeEnvironment()
        _ = try await environment.reset(seed: 0)
        let result = await environment.step(#"<echo>{"text": "abcdefghij", "times": 10}</echo>"#)
        let full = result.info.toolCalls[0].output
        #expect(full.count > 100)
        #expect(result.observation.text.contains("…[cut \(full.count - 40) chars]"))
        #expect(result.info.observationCutCharacters == full.count - 40)
        let capped = ObservationCap(nativeProvider().makeEnvironment(), maxCharacters: 40)
        _ = try await capped.reset(seed: 0)
        let small = await capped.step("<noop>x</noop><noop>y</noop>")
        #expect(small.observation.text.hasPrefix("<result name=\"noop\">ok</result>") && small.observation.text.contains("…[cut "))
    }

    @Test func brokenToolIsInfrastructureNotZero() async throws {
        let environment = nativeProvider().makeEnvironment()
        _ = try await environment.reset(seed: 0)
        let result = await environment.step("<broken>x</broken><noop>never runs</noop>")
        #expect(result.truncated && !result.terminated)
        #expect(result.info.infraError?.contains("the backend is down") == true)
        #expect(result.info.toolCalls.count == 1)
        #expect(result.observation.text.contains("infrastructure failure"))
    }

    @Test func brokenVerifierIsInfrastructure() async throws {
        let environment = nativeProvider(verifier: RaisingVerifier()).makeEnvironment()
        _ = try await environment.reset(seed: 0)
        let result = await environment.step("<answer>alpha</answer>")
        #expect(result.truncated && !result.terminated && result.info.success == nil)
        #expect(result.info.infraError?.contains("cannot score") == true)
    }

    @Test func rewardShapingComposes() async throws {
        let shaped = RewardShaping(TimeLimit(nativeProvider(maxTurns: nil).makeEnvironment(), maxTurns: 5)) { result in
            [RewardComponent(name: "length", value: -0.001 * Double(result.info.toolCalls.count))]
        }
        _ = try await shaped.reset(seed: 0)
        let result = await shaped.step("<noop>a</noop><noop>b</noop>")
        #expect(result.info.rewardComponents.map(\.name) == ["per_turn", "length"])
        #expect(abs(result.reward - (-0.012)) < 1e-12)
        #expect(shaped.spec.maxTurns == 5)
    }

    @Test func deterministicBySeedAndTaskOption() async throws {
        let provider = nativeProvider()
        let a = provider.makeEnvironment(), b = provider.makeEnvironment()
        var picked: Set<String> = []
        for seed in UInt64(0)..<20 {
            let x = try await a.reset(seed: seed)
            let y = try await b.reset(seed: seed)
            #expect(x == y)
            picked.insert(x.text)
        }
        #expect(picked.count > 4)
        let fixed = try await a.reset(seed: 99, options: ResetOptions(split: .test, taskID: "test-2"))
        #expect(fixed.text == "Repeat gamma.")
        await #expect(throws: EnvironmentError.self) { try await a.reset(seed: 0, options: ResetOptions(split: .test, taskID: "nope")) }
    }

    @Test func checkerReportsPerKindAndFirstAction() async throws {
        let report = await EnvironmentChecker.check(nativeProvider(), episodes: 12, split: .train)
        #expect(report.ok, "\(report.checks)")
        #expect(report.expertReturns?.successRate == 1)
        #expect(report.kinds.map(\.kind) == ["even", "odd"])
        #expect(report.kinds.allSatisfy { $0.firstActionRate == 1 && $0.firstActionExpected == "echo" })
        // A provider whose splits overlap fails the split check.
        var overlapping = nativeProvider()
        overlapping = NativeEnvironment(spec: overlapping.spec, tasks: TaskSet(train: overlapping.tasks.train, test: overlapping.tasks.train), tools: overlapping.tools, verifier: overlapping.verifier, expert: overlapping.expert)
        let bad = await EnvironmentChecker.check(overlapping, episodes: 2)
        #expect(!bad.ok && bad.checks.first { $0.name == "split" }?.ok == false)
    }

    @Test func nonDeterministicExpertIsCaught() async throws {
        let counter = Counter()
        let base = nativeProvider()
        let flaky = NativeEnvironment(spec: base.spec, tasks: base.tasks, tools: base.tools, verifier: base.verifier, reward: base.reward, expert: ScriptedExpert { _, _, _ in
            "<echo>\(counter.next())</echo>"
        })
        let report = await EnvironmentChecker.check(flaky, episodes: 2)
        #expect(!report.ok && report.checks.first { $0.name == "episode determinism" }?.ok == false)
    }
}

/// A thread-safe counter (the flaky expert's hidden state).
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

import Synchronization
