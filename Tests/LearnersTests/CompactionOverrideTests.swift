import EnvironmentKit
import Foundation
import Testing
@testable import Learners

/// `compaction` in the training config replaces the environment's mode for the whole run and
/// leaves everything else of the environment alone.
@Suite struct CompactionOverrideTests {
    private func provider(of config: TrainingConfig) throws -> any EnvironmentProvider {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-compaction-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = config
        config.model.layers = 1; config.model.dModel = 32; config.model.heads = 2; config.model.contextLength = 64
        return try TrainingRun(config: config, provider: banditProvider(), folder: folder, resume: false, configJSON: "{}").provider
    }

    @Test func theOverrideReplacesTheEnvironmentsModeAtTheSameBudget() throws {
        var config = TrainingConfig()
        config.compaction = .truncate
        let overridden = try provider(of: config)
        #expect(overridden.spec.context.compaction == .truncate)
        #expect(overridden.spec.context.budgetTokens == banditProvider().spec.context.budgetTokens)
        #expect(overridden.tasks.test.map(\.id) == banditProvider().tasks.test.map(\.id))
        #expect(overridden.expert != nil)
    }

    @Test func environmentKeepsTheManifestsMode() throws {
        #expect(banditProvider().spec.context.compaction == .none)
        #expect(try provider(of: TrainingConfig()).spec.context.compaction == .none)
        let summarising = banditProvider().withContext { $0.compaction = .summary }
        #expect(summarising.withContext { $0.compaction = .truncate }.spec.context.compaction == .truncate)
        #expect(summarising.spec.context.compaction == .summary)
    }
}
