import Foundation
import Testing
import ToolSandbox
@testable import EnvironmentKit

/// guess-country keeps ArCHer's twenty-questions rewards: −1 per turn, 0 on the right guess, a
/// wrong guess only costs its turn, and 20 turns without the right guess truncate.
@Suite(.serialized) struct GuessCountryTests {
    static let package = Task {
        try await EnvironmentPackage.load(folder: BuiltinEnvironmentsTests.repositoryEnvironments.appendingPathComponent("guess-country"), runtime: Fixtures.runtime(workers: 2))
    }

    func candidates(_ task: TaskRecord) -> [String] {
        guard case .array(let names)? = task.fields["candidates"] else { return [] }
        return names.compactMap { if case .string(let name) = $0 { return name } else { return nil } }
    }

    @Test func rewardsFollowArCHer() async throws {
        let package = try await Self.package.value
        #expect(package.spec.wrongAnswer == .continue && package.spec.maxTurns == 20 && package.manifest.reward.perTurn == -1)
        let environment = package.makeEnvironment()
        let task = try #require(package.tasks.test.first)
        _ = try await environment.reset(seed: 0, options: ResetOptions(split: .test, taskID: task.id))
        let secret = task.answer.stringValue
        let decoy = try #require(candidates(task).first { $0 != secret })
        let wrong = await environment.step("<answer>\(decoy)</answer>")
        #expect(!wrong.done && wrong.reward == -1 && wrong.info.success == false)
        #expect(wrong.observation.text == #"<result name="answer">wrong</result>"#)
        let asked = await environment.step("<ask>Is it landlocked?</ask>")
        #expect(!asked.done && asked.reward == -1 && ["yes", "no"].contains(asked.info.toolCalls.first?.output ?? ""))
        let right = await environment.step("<answer>\(secret.uppercased())</answer>")
        #expect(right.terminated && !right.truncated && right.reward == 0 && right.info.success == true)
    }

    @Test func twentyWrongGuessesTruncate() async throws {
        let package = try await Self.package.value
        let environment = package.makeEnvironment()
        let task = try #require(package.tasks.test.first { $0.kind == "many" })
        _ = try await environment.reset(seed: 0, options: ResetOptions(split: .test, taskID: task.id))
        let decoys = candidates(task).filter { $0 != task.answer.stringValue }
        #expect(decoys.count == 23)
        var steps: [StepResult] = []
        for decoy in decoys.prefix(20) { steps.append(await environment.step("<answer>\(decoy)</answer>")) }
        #expect(steps.prefix(19).allSatisfy { !$0.done })
        #expect(steps[19].truncated && !steps[19].terminated && steps.map(\.reward).reduce(0, +) == -20)
    }

    /// The expert's flaw (#6): `few` always succeeds, no `many` episode does (it runs out of turns).
    @Test func expertSucceedsOnFewOnly() async throws {
        let package = try await Self.package.value
        let expert = try #require(package.expert)
        let environment = package.makeEnvironment()
        for kind in ["few", "many"] {
            for task in package.tasks.test.filter({ $0.kind == kind }).prefix(3) {
                let record = try await EpisodeRunner.run(environment, expert: expert, seed: 1, options: ResetOptions(split: .test, taskID: task.id))
                #expect(record.infraError == nil)
                if kind == "few" {
                    #expect(record.success && record.episodeReturn == Double(1 - record.steps.count))
                } else {
                    #expect(!record.success && record.steps.count == 20 && record.episodeReturn == -20 && record.steps[19].truncated)
                }
            }
        }
        await environment.close()
    }
}
