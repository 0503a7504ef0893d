import Testing
import EnvironmentKit
import TensorCore
import Trajectories
@testable import Learners

/// Each algorithm learns the bandit (`banditProvider`), whose optimal policy is known: answer X.
@Suite(.serialized) struct LearningTests {
    /// BC on an always-right expert: greedy success ≥ 90 % after 150 steps.
    @Test func behaviourCloningLearnsTheExpert() async throws {
        let provider = banditProvider(expertAlwaysRight: true)
        let policy = try tinyPolicy()
        #expect(try await banditSuccess(policy, provider: provider, greedy: true) < 0.1)
        try await cloneBandit(policy, provider: provider, steps: 150)
        #expect(try await banditSuccess(policy, provider: provider, greedy: true) >= 0.9)
    }

    /// From a 50 % clone, filtered BC (top 10 % of episodes so far) reaches sampled success ≥ 80 %.
    @Test func filteredBCImprovesOnAMixedClone() async throws {
        let provider = banditProvider()
        let policy = try tinyPolicy(seed: 2)
        try await cloneBandit(policy, provider: provider, steps: 150)
        let start = try await banditSuccess(policy, provider: provider, greedy: false, episodes: 64)
        #expect(start > 0.2 && start < 0.8)
        var config = BCConfig()
        config.learningRate = 3e-3
        let bc = BehaviourCloning(policy: policy, config: config)
        var pool: [PlayedEpisode] = []
        var rng = SeededRNG(seed: 11)
        for round in 0..<6 {
            let worker = RolloutWorker(provider: provider, policy: policy, settings: RolloutSettings(batchSize: 16, perTurnMaxNewTokens: 24))
            pool += try await worker.play(seeds: (0..<16).map { UInt64(round * 16 + $0) }, rng: &rng)
            let sequences = BehaviourCloning.topEpisodes(pool, fraction: 0.1).flatMap { BehaviourCloning.sequences($0.record) }
            try bc.train(on: sequences, steps: 10, rng: &rng)
        }
        #expect(try await banditSuccess(policy, provider: provider, greedy: false, episodes: 64) >= 0.8)
    }

    /// From a 50 % clone, ArCHer (critic warm-up, then actor steps) reaches sampled success ≥ 80 %,
    /// and its critic ranks the right answer above the wrong one; with and without the
    /// token-level baseline.
    @Test(arguments: [false, true]) func archerImprovesOnAMixedClone(tokenBaseline: Bool) async throws {
        let provider = banditProvider()
        let policy = try tinyPolicy(seed: 3)
        try await cloneBandit(policy, provider: provider, steps: 150)
        var config = ArcherConfig()
        config.criticDModel = 32; config.criticLayers = 1; config.criticHeads = 2; config.criticHeadHiddenSize = 32
        // At 1e-3 the variant's rollouts reached 94 % success by iteration ~27, then collapsed to
        // 0 % by the 38th; at half the rate they climb to ~80 % and stay.
        config.actorLearningRate = tokenBaseline ? 5e-4 : 1e-3
        config.actorStepsPerIteration = 3
        config.batchSize = 16
        config.tokenBaseline = tokenBaseline
        var rng = SeededRNG(seed: 12)
        let baseline = tokenBaseline ? try TokenCritic(copying: policy.model, rng: &rng) : nil
        let trainer = try ArcherTrainer(
            policy: policy, vocabularySize: 264, config: config, maxNewTokens: 24, tokenBaseline: baseline, rng: &rng)
        let worker = RolloutWorker(provider: provider, policy: policy, settings: RolloutSettings(batchSize: 16, perTurnMaxNewTokens: 24))
        for iteration in 0..<40 {
            let played = try await worker.play(seeds: (0..<16).map { UInt64(iteration * 16 + $0) }, rng: &rng)
            for e in played { trainer.replay.append(contentsOf: Transition.transitions(of: e.record)) }
            try trainer.criticPhase(rng: &rng)
            if iteration >= 3 {
                for _ in 0..<config.actorStepsPerIteration { try trainer.actorStep(rng: &rng) }
            } else {
                for _ in 0..<config.criticStepsPerIteration { try trainer.warmUpTokenBaseline(rng: &rng) }
            }
        }
        let state = trainer.replay.sample(1, using: &rng)[0].context
        let right = policy.replyTokens(for: "<answer>X</answer>"), wrong = policy.replyTokens(for: "<answer>Y</answer>")
        let advantage = try trainer.advantages(states: [state, state], actions: [right, wrong])
        #expect(advantage[0] > advantage[1] + 0.3)
        let success = try await banditSuccess(policy, provider: provider, greedy: false, episodes: 64)
        #expect(success >= 0.8)
    }

    /// Rollouts are token-exact: each turn's context extends the previous turn's context and
    /// generated ids exactly, and every generated id has its behaviour log-prob.
    @Test func rolloutContextsChainTokenExactly() async throws {
        // A random policy's first reply is malformed, so the format error's observation follows
        // and a second turn is played (the budget leaves room for it).
        let provider = banditProvider(maxTurns: 2, budgetTokens: 512)
        let policy = try tinyPolicy(seed: 4, contextLength: 512)
        var rng = SeededRNG(seed: 1)
        let worker = RolloutWorker(provider: provider, policy: policy, settings: RolloutSettings(batchSize: 4, perTurnMaxNewTokens: 8))
        let played = try await worker.play(seeds: [0, 1, 2, 3], rng: &rng)
        var checked = 0
        for episode in played {
            for turn in episode.record.turns { #expect(turn.logProbs.count == turn.generatedTokens.count) }
            for (a, b) in zip(episode.record.turns, episode.record.turns.dropFirst()) {
                let prefix = a.contextTokens + policy.strippingReplyClosing(a.generatedTokens) + policy.replyClosing
                #expect(Array(b.contextTokens.prefix(prefix.count)) == prefix)
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test func behaviourCloningMergesChainedTurnsIntoOneSequence() {
        let turns = [
            TurnRecord(contextTokens: [1, 2], generatedTokens: [3, 260], logProbs: [0, 0], reward: 0, utterance: "x"),
            TurnRecord(contextTokens: [1, 2, 3, 260, 9, 258], generatedTokens: [4], logProbs: [0], reward: 1, utterance: "y"),
        ]
        let episode = EpisodeRecordData(environment: "e", taskID: "t", split: "train", seed: 0, episodeReturn: 1, status: .terminated, turns: turns)
        let sequences = BehaviourCloning.sequences(episode)
        #expect(sequences.count == 1)
        #expect(sequences[0].context == [1, 2])
        #expect(sequences[0].continuation == [3, 260, 9, 258, 4])
        #expect(sequences[0].weights == [1, 1, 0, 0, 1])
    }
}
