import Foundation
import Testing
import ToolSandbox
@testable import EnvironmentKit

/// The calc fixture through the sandbox: Python tools, sessions, verify.py, expert.py.
@Suite(.serialized) struct FolderEnvironmentTests {
    @Test func loadsToolsFromTypeHints() async throws {
        let package = try await Fixtures.calcPackage.value
        #expect(package.spec.tools.map(\.name) == ["python", "offset"])
        let offset = try #require(package.spec.tools.first { $0.name == "offset" })
        #expect(offset.description == "Look up the secret offset called key.")
        #expect(offset.parameters.map(\.name) == ["key"])  // `task` is injected, not in the schema
        #expect(offset.required == ["key"])
        #expect(package.tasks.train.count == 6 && package.tasks.test.count == 4)
        #expect(package.spec.maxTurns == 4 && package.manifest.reward.formatPenalty == -0.1)
    }

    @Test func pythonSessionPersistsWithinAnEpisodeOnly() async throws {
        let package = try await Fixtures.calcPackage.value
        let environment = package.makeEnvironment()
        _ = try await environment.reset(seed: 0)
        let first = await environment.step("<python>secret = 41</python>")
        #expect(first.info.toolCalls[0].output.contains("no output"))
        let second = await environment.step("<python>print(secret + 1)</python><offset>c</offset>")
        #expect(second.info.toolCalls.map(\.output) == ["42\n", "11"])
        _ = try await environment.reset(seed: 0)
        let fresh = await environment.step("<python>print(secret)</python>")
        #expect(fresh.info.toolCalls[0].isError && fresh.info.toolCalls[0].output.contains("NameError"))
        #expect(fresh.info.infraError == nil)  // the model's error, not infrastructure
        await environment.close()
    }

    @Test func verifierScoresAndMisbehaviourIsInfrastructure() async throws {
        let package = try await Fixtures.calcPackage.value
        let environment = package.makeEnvironment()
        let task = try #require(package.tasks.test.first)
        _ = try await environment.reset(seed: 0, options: ResetOptions(split: .test, taskID: task.id))
        let right = await environment.step("<answer>\(task.answer.stringValue)</answer>")
        #expect(right.terminated && right.reward == 1 && right.info.success == true)
        #expect(right.info.rewardComponents == [RewardComponent(name: "_success", value: 1), RewardComponent(name: "correct", value: 1)])

        _ = try await environment.reset(seed: 0, options: ResetOptions(split: .test, taskID: task.id))
        let raised = await environment.step("<answer>raise</answer>")
        #expect(raised.truncated && !raised.terminated)
        let detail = raised.info.infraError ?? ""
        #expect(detail.contains("verify.py line 4") && detail.contains("verifier exploded on purpose"), "\(detail)")

        _ = try await environment.reset(seed: 0, options: ResetOptions(split: .test, taskID: task.id))
        let text = await environment.step("<answer>text</answer>")
        #expect(text.truncated && text.info.infraError?.contains("not a number") == true, "\(text.info.infraError ?? "")")
    }

    @Test func expertEpisodesAreDeterministic() async throws {
        let package = try await Fixtures.calcPackage.value
        let expert = try #require(package.expert)
        let environment = package.makeEnvironment()
        let a = try await EpisodeRunner.run(environment, expert: expert, seed: 5, options: ResetOptions(split: .test))
        let b = try await EpisodeRunner.run(environment, expert: expert, seed: 5, options: ResetOptions(split: .test))
        #expect(a.utterances == b.utterances && a.steps.map(\.observation) == b.steps.map(\.observation))
        #expect(a.steps.last?.done == true)
    }

    @Test func pythonFileThatFailsToImportNamesFileAndLine() async throws {
        let folder = try copyOfCalc(replacing: ["tools.py": "import os\n\ndef offset(key: str) -> str:\n    return key\n\nraise RuntimeError('broken at import')\n"])
        do {
            let package = try await EnvironmentPackage.load(folder: folder, runtime: Fixtures.runtime())
            await package.shutdown()
            Issue.record("loaded a folder whose tools.py raises")
        } catch {
            let message = "\(error)"
            #expect(message.contains("tools.py:6") && message.contains("broken at import"), "\(message)")
        }
        let syntax = try copyOfCalc(replacing: ["verify.py": "def verify(task, answer, trajectory):\n    return 1 +\n"])
        await #expect(performing: { _ = try await EnvironmentPackage.load(folder: syntax, runtime: Fixtures.runtime()) }, throws: { error in
            "\(error)".contains("verify.py:2") && "\(error)".contains("SyntaxError")
        })
    }

    @Test func unhintedParameterAndDuplicateToolAreRejected() async throws {
        let unhinted = try copyOfCalc(replacing: ["tools.py": "def offset(key, task: dict) -> str:\n    \"\"\"No hint.\"\"\"\n    return key\n"])
        await #expect(performing: { _ = try await EnvironmentPackage.load(folder: unhinted, runtime: Fixtures.runtime()) }, throws: { error in
            "\(error)".contains("tools.py") && "\(error)".contains("parameter 'key' has no supported type hint")
        })
        let duplicate = try copyOfCalc(replacing: ["tools.py": "def python(code: str) -> str:\n    return code\n"])
        await #expect(performing: { _ = try await EnvironmentPackage.load(folder: duplicate, runtime: Fixtures.runtime()) }, throws: { error in
            "\(error)".contains("duplicate tool 'python'")
        })
    }

    @Test func generatorTasksAndCheckFindsOverlap() async throws {
        let manifest = try String(contentsOf: Fixtures.calc.appendingPathComponent("env.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  train: train.jsonl\n  test: test.jsonl", with: "  generator: generate.py\n  train_count: 5\n  test_count: 3")
        let generator = """
            def generate(split: str, seed: int, count: int) -> list:
                # Deliberately overlapping splits: the same ids in train and test.
                return [{"id": f"g{i}", "kind": "plain", "prompt": f"Compute {i} * 2.", "answer": str(2 * i),
                         "x": i, "y": 2, "key": None} for i in range(count)]
            """
        let folder = try copyOfCalc(replacing: ["env.yaml": manifest, "generate.py": generator])
        let package = try await EnvironmentPackage.load(folder: folder, runtime: Fixtures.runtime())
        #expect(package.tasks.train.map(\.id) == ["g0", "g1", "g2", "g3", "g4"] && package.tasks.test.count == 3)
        let report = await EnvironmentChecker.check(package, episodes: 2)
        await package.shutdown()
        #expect(!report.ok && report.checks.first { $0.name == "split" }?.ok == false)
    }

    /// A copy of the calc fixture with some files replaced.
    func copyOfCalc(replacing files: [String: String]) throws -> URL {
        let folder = try Fixtures.temporaryFolder("calc")
        try FileManager.default.removeItem(at: folder)
        try FileManager.default.copyItem(at: Fixtures.calc, to: folder)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }
}

extension JSONValue {
    var stringValue: String {
        if case .string(let text) = self { return text }
        return description
    }
}
