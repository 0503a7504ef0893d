import Foundation
import Testing
@testable import EnvironmentKit

/// `turnrl env …` and `turnrl play` as a user runs them (the binary built next to the tests).
@Suite(.serialized) struct CLITests {
    func isolatedHome() throws -> [String: String] {
        let home = try Fixtures.temporaryFolder("home")
        var environment = ["TURNRL_HOME": home.path, "TURNRL_ENVIRONMENTS": try Fixtures.temporaryFolder("nobuiltins").path]
        environment["TURNRL_PYTHON"] = Fixtures.python
        return environment
    }

    @Test func checkPassesOnTheFixtureAndFailsOnABrokenOne() throws {
        let (status, out, err) = try Fixtures.run(["env", "check", Fixtures.calc.path, "--episodes", "6", "--workers", "1", "--json"], environment: try isolatedHome())
        #expect(status == 0, "\(out)\n\(err)")
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(out.utf8))
        #expect(report.ok && report.name == "fixture-calc" && report.expertReturns?.episodes == 6)
        #expect(report.kinds.map(\.kind) == ["lookup", "plain"])
        #expect(report.kinds.first { $0.kind == "lookup" }?.firstActionRate == 1)

        let broken = try Fixtures.folder(["env.yaml": ManifestTests.good.replacingOccurrences(of: "max_turns: 3", with: "max_turns: -1"), "train.jsonl": ManifestTests.train, "test.jsonl": ManifestTests.test])
        let (badStatus, badOut, _) = try Fixtures.run(["env", "check", broken.path], environment: try isolatedHome())
        #expect(badStatus == 1 && badOut.contains("env.yaml:11") && badOut.contains("max_turns"), "\(badOut)")
    }

    @Test func registerListShowUnregisterFromAnyDirectory() throws {
        let environment = try isolatedHome()
        let elsewhere = try Fixtures.temporaryFolder("cwd")
        let (status, out, err) = try Fixtures.run(["env", "register", Fixtures.calc.path, "--workers", "1"], environment: environment, cwd: elsewhere)
        #expect(status == 0 && out.contains("registered fixture-calc"), "\(out)\(err)")
        let (_, list, _) = try Fixtures.run(["env", "list", "--json"], environment: environment, cwd: URL(fileURLWithPath: "/"))
        #expect(list.contains("\"name\":\"fixture-calc\"") && list.contains("\"train\":6") && list.contains("\"test\":4"), "\(list)")
        let (_, show, _) = try Fixtures.run(["env", "show", "fixture-calc", "--workers", "1"], environment: environment, cwd: elsewhere)
        #expect(show.contains("offset: Look up the secret offset called key.") && show.contains("system prompt:"), "\(show)")
        let (unStatus, _, _) = try Fixtures.run(["env", "unregister", "fixture-calc"], environment: environment)
        #expect(unStatus == 0)
        let (_, after, _) = try Fixtures.run(["env", "list", "--json"], environment: environment)
        #expect(!after.contains("fixture-calc"))
    }

    @Test func playReadsUtterancesAndCommandsFromAPipe() throws {
        let saved = try Fixtures.temporaryFolder("play").appendingPathComponent("episode.jsonl")
        let script = """
            <python>v = 7 * 6\\
            print(v)</python>
            oops, no action
            :undo
            :context
            <python>print(v + 1)</python>
            <answer>43</answer>
            :save \(saved.path)
            :quit
            """
        let (status, out, err) = try Fixtures.run(["play", Fixtures.calc.path, "--seed", "1", "--workers", "1"], stdin: script, environment: try isolatedHome())
        #expect(status == 0, "\(err)")
        #expect(out.contains("→ python") && out.contains("42") && out.contains("43"))
        #expect(out.contains("format error") && out.contains("undone: back to turn 1"))
        #expect(out.contains("--- system") && out.contains("--- assistant"))
        #expect(out.contains("episode terminated after 3 turn(s)"))
        let lines = try String(contentsOf: saved, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4 && lines[0].contains("\"type\":\"episode\"") && lines[3].contains("\"answer\":\"43\""))
    }

    @Test func playStepsTheExpertOnEnter() throws {
        let (status, out, err) = try Fixtures.run(["play", Fixtures.calc.path, "--seed", "0", "--split", "test", "--policy", "expert", "--workers", "1"], stdin: "\n\n\n\n", environment: try isolatedHome())
        #expect(status == 0, "\(err)")
        #expect(out.contains("[assistant, turn 1]") && out.contains("== episode"))
    }
}
