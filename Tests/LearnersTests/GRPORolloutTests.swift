import EnvironmentKit
import Testing
import TensorCore
@testable import Learners

/// GRPO through the real rollout path (`RolloutWorker`, `GPT2Policy`, a native environment):
/// from a ~50 % clone of the bandit's expert (`banditProvider`: the right answer is always A,
/// the expert says B on odd seeds), 25 updates of 2 tasks × 8 episodes raise sampled success by
/// at least 15 points (observed: 36 → 73 %). The budget is kept small so the test stays short.
struct GRPORolloutTests {
    static func worker(_ provider: NativeEnvironment, _ policy: GPT2Policy) -> RolloutWorker {
        RolloutWorker(provider: provider, policy: policy, settings: RolloutSettings(batchSize: 16, perTurnMaxNewTokens: 24))
    }

    @Test func grpoImprovesOnAMixedClone() async throws {
        let provider = banditProvider()
        let policy = try tinyPolicy(seed: 5)
        try await cloneBandit(policy, provider: provider, steps: 150)
        let start = try await banditSuccess(policy, provider: provider, greedy: false, episodes: 64)
        var h = GRPOHyperparameters()
        h.learningRate = 1e-3
        h.tokenNormaliser = 24
        let learner = try GRPOLearner(policy: policy, hyperparameters: h, seed: 1)
        var rng = SeededRNG(seed: 13)
        for _ in 0..<25 {
            let played = try await Self.worker(provider, policy).play(seeds: learner.groupedSeeds(tasks: 2, rng: &rng), rng: &rng)
            _ = try learner.update(played: played)
        }
        let end = try await banditSuccess(policy, provider: provider, greedy: false, episodes: 64)
        #expect(end >= start + 0.15, "sampled success \(start) → \(end)")
        print("GRPO bandit from a 50 % clone: sampled success \(start) → \(end)")
    }
}
