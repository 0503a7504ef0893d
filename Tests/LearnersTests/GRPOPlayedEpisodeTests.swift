import Testing
import TensorCore
import Trajectories
@testable import Learners

/// GRPO and PPO on `PlayedEpisode`s (the rollout worker's output) with a `GPT2Policy`
/// (`tinyPolicy` from ToyEnvironments.swift).
struct GRPOPlayedEpisodeTests {
    /// A one-turn episode of `task` that answered `reply` and got `reward`.
    static func played(task: String, reply: [Int32], reward: Double, status: EpisodeStatus = .terminated) -> PlayedEpisode {
        let turn = TurnRecord(contextTokens: [256, 72, 105, 260, 258], generatedTokens: reply, logProbs: reply.map { _ in 0 },
                              reward: reward, utterance: "")
        let record = EpisodeRecordData(environment: "toy", taskID: task, split: "train", seed: 0, episodeReturn: reward,
                                       status: status, turns: [turn])
        return PlayedEpisode(record: record, taskKind: "toy", success: reward > 0, toolCalls: 0)
    }

    static func logProb(_ policy: GPT2Policy, _ reply: [Int32]) throws -> Float {
        try noGrad {
            let scores = try policy.continuationScores(contexts: [[256, 72, 105, 260, 258]], continuations: [reply])
            return scores.perContinuation(scores.logProbs)[0].reduce(0, +)
        }
    }

    @Test func episodesAreGroupedByTaskAndFailuresLeftOut() {
        let groups = EpisodeSample.groupedByTask([
            Self.played(task: "a", reply: [65], reward: 1), Self.played(task: "b", reply: [66], reward: 0),
            Self.played(task: "a", reply: [67], reward: 0), Self.played(task: "b", reply: [68], reward: 1, status: .infraError),
        ])
        #expect(groups.map { $0.map(\.turns[0].utterance) } == [[[65], [67]], [[66]]])
        #expect(groups[0][0].turns[0].context == [256, 72, 105, 260, 258] && groups[0][0].totalReward == 1)
    }

    @Test func groupedSeedsRepeatEachTaskSeedForTheGroup() throws {
        var h = GRPOHyperparameters()
        h.groupSize = 3
        let learner = try GRPOLearner(policy: tinyPolicy(seed: 4), hyperparameters: h)
        var rng = SeededRNG(seed: 1)
        let seeds = learner.groupedSeeds(tasks: 2, rng: &rng)
        #expect(seeds.count == 6 && Set(seeds[0..<3]).count == 1 && Set(seeds[3..<6]).count == 1 && seeds[0] != seeds[3])
    }

    @Test func anUpdateMovesProbabilityTowardsTheBetterReply() throws {
        let good: [Int32] = [65, 260], bad: [Int32] = [66, 260]
        let played = (0..<4).flatMap { _ in
            [Self.played(task: "t", reply: good, reward: 1), Self.played(task: "t", reply: bad, reward: 0)]
        }
        for algorithm in ["grpo", "ppo"] {
            let policy = try tinyPolicy(seed: 4)
            let before = (try Self.logProb(policy, good), try Self.logProb(policy, bad))
            let metrics: PolicyGradientMetrics
            if algorithm == "grpo" {
                var h = GRPOHyperparameters()
                h.learningRate = 1e-3
                metrics = try GRPOLearner(policy: policy, hyperparameters: h).update(played: played)
            } else {
                var h = PPOHyperparameters()
                h.learningRate = 1e-3
                var rng = SeededRNG(seed: 2)
                let critic = try TokenCritic(copying: policy.model, rng: &rng)
                metrics = try PPOLearner(policy: policy, critic: critic, hyperparameters: h).update(played: played)
            }
            let after = (try Self.logProb(policy, good), try Self.logProb(policy, bad))
            #expect(after.0 > before.0 && after.1 < before.1, "\(algorithm): good \(before.0) → \(after.0), bad \(before.1) → \(after.1)")
            #expect(metrics.trainedTurns == 8 && metrics.trainedTokens == 16)
        }
    }
}
