import Foundation
import Testing
import TensorCore
@testable import Learners

/// Token-level PPO with its critic learns the two-key task to its optimum.
struct PPOLearningTests {
    @Test func learnsTheTwoKeyTask() throws {
        let policy = try ToyPolicy(vocabularySize: TwoKeyTask.vocabularySize, seed: 7)
        var rng = SeededRNG(seed: 5)
        let critic = try TokenCritic(copying: policy.model, rng: &rng)
        var h = PPOHyperparameters()
        h.learningRate = 3e-3        // a 6k-parameter model; the defaults suit the real policy
        h.criticLearningRate = 3e-3
        h.miniBatchSize = 16
        let learner = try PPOLearner(scoring: policy, critic: critic, hyperparameters: h, seed: 1)
        let before = try TwoKeyTask.greedyReturn(policy)
        var updates = 0, first: PolicyGradientMetrics?, last = PolicyGradientMetrics()
        while updates < 150, try TwoKeyTask.greedyReturn(policy) < 1 {
            last = try learner.update(episodes: Array(TwoKeyTask.play(policy, groupSize: 8, rng: &rng).joined()))
            if first == nil { first = last }
            updates += 1
        }
        let after = try TwoKeyTask.greedyReturn(policy)
        #expect(before < 1)
        #expect(after == 1, "greedy return \(before) → \(after) after \(updates) updates")
        // 32 turns, 4 epochs of 2 minibatches.
        #expect(last.optimizerSteps == 8 && last.trainedTurns == 32)
        print("PPO two-key task: greedy return \(before) → \(after) in \(updates) updates; value loss \(first?.valueLoss ?? 0) → \(last.valueLoss ?? 0), entropy \(first?.entropy ?? 0) → \(last.entropy)")
    }

    @Test func criticStartsFromThePolicyTrunk() throws {
        let policy = try ToyPolicy(vocabularySize: 8, seed: 2)
        var rng = SeededRNG(seed: 1)
        let critic = try TokenCritic(copying: policy.model, rng: &rng)
        #expect(zip(critic.network.policy.parameters, policy.model.parameters).allSatisfy { $0.toArray() == $1.toArray() })
        // Values sit at the policy's continuation entries: context [1, 2] + 3 tokens → entries 1…3.
        let (values, layout) = try critic.values(contexts: [[1, 2]], continuations: [[3, 4, 5]])
        #expect(layout.mask == [false, true, true, true, false])
        #expect(values.toArray()[0] == 0 && values.toArray()[4] == 0)
        let scores = try policy.continuationScores(contexts: [[1, 2]], continuations: [[3, 4, 5]])
        #expect(scores.mask == layout.mask)
    }

    @Test func criticWeightsRoundTripThroughAFolder() throws {
        let policy = try ToyPolicy(vocabularySize: 8, seed: 3)
        var rng = SeededRNG(seed: 1)
        let critic = try TokenCritic(copying: policy.model, rng: &rng)
        let restored = try TokenCritic(copying: policy.model, rng: &rng)  // same trunk, another head
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-critic-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pair = (contexts: [[Int32(1), 2]], continuations: [[Int32(3), 4]])
        let before = try critic.detachedValues(contexts: pair.contexts, continuations: pair.continuations, batchSize: 1)
        #expect(try restored.detachedValues(contexts: pair.contexts, continuations: pair.continuations, batchSize: 1) != before)
        try critic.save(to: folder)
        try restored.load(from: folder)
        #expect(try restored.detachedValues(contexts: pair.contexts, continuations: pair.continuations, batchSize: 1) == before)
    }
}
