import Testing
import TensorCore
@testable import Learners

/// Turn-level GRPO learns the two-key task to its optimum.
struct GRPOLearningTests {
    @Test func learnsTheTwoKeyTask() throws {
        let policy = try ToyPolicy(vocabularySize: TwoKeyTask.vocabularySize, seed: 7)
        var h = GRPOHyperparameters()
        h.learningRate = 1e-2    // a 6k-parameter model; the default suits the real policy
        h.miniBatchSize = 8      // two optimizer steps per batch, so the ratio clip is exercised
        h.tokenNormaliser = 1    // one-token utterances
        let learner = try GRPOLearner(scoring: policy, hyperparameters: h, seed: 1)
        var rng = SeededRNG(seed: 3)
        let before = try TwoKeyTask.greedyReturn(policy)
        var updates = 0, last = PolicyGradientMetrics()
        while updates < 150, try TwoKeyTask.greedyReturn(policy) < 1 {
            last = try learner.update(groups: TwoKeyTask.play(policy, groupSize: 8, rng: &rng))
            updates += 1
        }
        let after = try TwoKeyTask.greedyReturn(policy)
        #expect(before < 1)
        #expect(after == 1, "greedy return \(before) → \(after) after \(updates) updates")
        #expect(last.optimizerSteps == 4 && last.trainedTurns == 32)
        print("GRPO two-key task: greedy return \(before) → \(after) in \(updates) updates")
    }
}
