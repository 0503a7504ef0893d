import EnvironmentKit
import Foundation
import Testing
@testable import Learners

/// `warmStartCheckpoint` with `bc`: cloning continues from the checkpoint's weights instead of a
/// fresh policy.
@Suite struct WarmStartCheckpointTests {
    private func bc(steps: Int, learningRate: Float, from checkpoint: String = "", in folder: URL) async throws -> Data {
        var c = TrainingConfig()
        c.algo = .bc
        c.seed = 3
        c.evalEpisodes = 0
        c.probeSamples = 0
        c.perTurnMaxNewTokens = 24
        c.model.layers = 1; c.model.dModel = 32; c.model.heads = 2; c.model.contextLength = 64
        c.bc.demonstrations = 8; c.bc.steps = steps; c.bc.learningRate = learningRate; c.bc.batchSize = 4
        c.warmStartCheckpoint = checkpoint
        _ = try await TrainingRun(config: c, provider: banditProvider(), folder: folder, resume: false, configJSON: "{}").run()
        return try Data(contentsOf: folder.appendingPathComponent("checkpoints/final/model.safetensors"))
    }

    @Test func bcClonesOnFromTheCheckpointsWeights() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-warm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try await bc(steps: 20, learningRate: 5e-3, in: root.appendingPathComponent("first"))
        // With a zero step size the weights stay where they start: the checkpoint's, not a fresh draw.
        let continued = try await bc(
            steps: 1, learningRate: 0, from: root.appendingPathComponent("first/checkpoints/final").path, in: root.appendingPathComponent("continued"))
        let fresh = try await bc(steps: 1, learningRate: 0, in: root.appendingPathComponent("fresh"))
        let startsFromCheckpoint = continued == first, freshDiffers = fresh != first
        #expect(startsFromCheckpoint)
        #expect(freshDiffers)
    }
}
