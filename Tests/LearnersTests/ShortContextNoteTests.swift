import EnvironmentKit
import Foundation
import Testing
@testable import Learners

/// A policy whose context is shorter than the environment's budget stops long episodes early;
/// the run says so once, before it starts.
@Suite struct ShortContextNoteTests {
    private func notes(policyContext: Int, environmentBudget: Int) async throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-short-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = TrainingConfig()
        c.algo = .bc
        c.evalEpisodes = 0
        c.probeSamples = 0
        c.perTurnMaxNewTokens = 24
        c.model.layers = 1; c.model.dModel = 32; c.model.heads = 2; c.model.contextLength = policyContext
        c.bc.demonstrations = 2; c.bc.steps = 1; c.bc.batchSize = 2
        let notes = Notes()
        let run = try TrainingRun(
            config: c, provider: banditProvider(budgetTokens: environmentBudget), folder: folder, resume: false, configJSON: "{}",
            note: { notes.lines.append($0) })
        _ = try await run.run()
        return notes.lines
    }

    private final class Notes { var lines: [String] = [] }

    @Test func aShorterPolicyContextIsNamedWithTheFix() async throws {
        let short = try await notes(policyContext: 64, environmentBudget: 128)
        #expect(short.filter { $0.contains("shorter than") }.count == 1)
        #expect(short.contains { $0.contains("--set model.contextLength=128") })
        let equal = try await notes(policyContext: 64, environmentBudget: 64)
        #expect(!equal.contains { $0.contains("shorter than") })
    }
}
