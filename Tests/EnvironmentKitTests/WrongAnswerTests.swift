import Foundation
import Testing
import ToolSandbox
@testable import EnvironmentKit

/// `wrong_answer: continue`: only a right answer ends the episode (twenty questions, ArCHer).
@Suite struct WrongAnswerTests {
    /// The native words environment with ArCHer's rewards (−1 per turn) and the given rule.
    func provider(_ rule: WrongAnswer, maxTurns: Int = 4) -> NativeEnvironment {
        let base = nativeProvider(reward: RewardSettings(perTurn: -1), maxTurns: maxTurns)
        var spec = base.spec
        spec.wrongAnswer = rule
        return NativeEnvironment(spec: spec, tasks: base.tasks, tools: base.tools, verifier: base.verifier, reward: base.reward)
    }

    func word(_ environment: any Environment) async throws -> String {
        let task = try #require(await environment.currentTask)
        return String(task.prompt.split(separator: " ")[1].dropLast())
    }

    @Test func wrongAnswerContinuesAndCostsTheTurn() async throws {
        let environment = provider(.continue).makeEnvironment()
        _ = try await environment.reset(seed: 1)
        let wrong = await environment.step("<answer>omega</answer>")
        #expect(!wrong.terminated && !wrong.truncated && wrong.info.success == false && wrong.info.answer == "omega")
        #expect(wrong.observation.text == #"<result name="answer">wrong</result>"#)
        #expect(wrong.info.rewardComponents == [RewardComponent(name: "exact_match", value: 0), RewardComponent(name: "per_turn", value: -1)])
        #expect(wrong.reward == -1)
        // A tool call in the same turn as a wrong answer: both results are shown.
        let both = await environment.step("<noop>x</noop><answer>psi</answer>")
        #expect(!both.done && both.observation.text == "<result name=\"noop\">ok</result>\n<result name=\"answer\">wrong</result>")
        let right = await environment.step("<answer>\(try await word(environment))</answer>")
        #expect(right.terminated && !right.truncated && right.info.success == true)
        #expect(right.reward == 1 && !right.info.rewardComponents.contains { $0.name == "per_turn" })
        let messages = await environment.messages
        #expect(messages.map(\.role) == [.system, .user, .assistant, .tool, .assistant, .tool, .assistant])
    }

    @Test func wrongAnswersUntilTheTurnLimitTruncate() async throws {
        let environment = provider(.continue, maxTurns: 3).makeEnvironment()
        _ = try await environment.reset(seed: 2)
        var results: [StepResult] = []
        for guess in ["x", "y", "z"] { results.append(await environment.step("<answer>\(guess)</answer>")) }
        #expect(results.prefix(2).allSatisfy { !$0.done })
        #expect(results[2].truncated && !results[2].terminated && results[2].info.truncatedBy == "TimeLimit(3)")
        #expect(results.map(\.reward).reduce(0, +) == -3)
    }

    @Test func endIsTheDefaultAndEndsOnAnyAnswer() async throws {
        #expect(EnvironmentSpec(name: "x").wrongAnswer == .end)
        let environment = provider(.end).makeEnvironment()
        _ = try await environment.reset(seed: 1)
        let wrong = await environment.step("<answer>omega</answer>")
        #expect(wrong.terminated && wrong.info.success == false && wrong.reward == 0 && wrong.observation.text.isEmpty)
    }

    @Test func manifestField() throws {
        let continued = try ManifestLoader.parse(ManifestTests.good + "\nwrong_answer: continue\n", folder: try folderWithTasks())
        #expect(continued.wrongAnswer == .continue)
        #expect(try ManifestLoader.parse(ManifestTests.good, folder: try folderWithTasks()).wrongAnswer == .end)
        let message = try ManifestTests().error(ManifestTests.good + "\nwrong_answer: retry\n")
        #expect(message.contains("env.yaml:12") && message.contains("field 'wrong_answer'") && message.contains("continue"))
    }

    func folderWithTasks() throws -> URL {
        try Fixtures.folder(["train.jsonl": ManifestTests.train, "test.jsonl": ManifestTests.test])
    }
}
