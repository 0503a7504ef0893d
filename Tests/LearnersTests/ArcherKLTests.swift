import Foundation
import Testing
import PolicyModels
import TensorCore
import Trajectories
@testable import Learners

/// ArCHer's optional KL penalty to a frozen reference policy (`ArcherConfig.klCoefficient`).
@Suite struct ArcherKLTests {
    /// A trainer on the tiny policy whose critic says Q ≡ `q`, V ≡ `v` everywhere, with a replay
    /// buffer of two states.
    private func trainer(beta: Float, reference: (any TurnPolicy)?, q: Float, v: Float, learningRate: Float = 3e-5) throws -> ArcherTrainer {
        var config = ArcherConfig()
        config.criticDModel = 16; config.criticLayers = 1; config.criticHeads = 2; config.criticHeadHiddenSize = 8
        config.klCoefficient = beta
        config.actorLearningRate = learningRate
        config.batchSize = 8
        var rng = SeededRNG(seed: 4)
        let trainer = try ArcherTrainer(policy: try tinyPolicy(seed: 1), vocabularySize: 264, config: config, maxNewTokens: 4,
                                        reference: reference, rng: &rng)
        for (head, value) in [(trainer.critic.q1, q), (trainer.critic.q2, q), (trainer.critic.v1, v), (trainer.critic.v2, v)] {
            head.weights.last!.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] = 0 } }
            head.biases.last!.withUnsafeMutableBufferPointer { $0[0] = value }
        }
        trainer.replay.append(contentsOf: states.map { Transition(context: $0, utterance: [6], reward: 0, nextContext: [], done: true) })
        return trainer
    }

    private let states: [[Int32]] = [[1, 2, 3], [4, 5]]
    private let actions: [[Int32]] = [[6, 7, 8], [9]]

    /// log π(a_t|·) of `continuations` after `states` under `trainer`'s policy, scored as one batch.
    private func scored(_ trainer: ArcherTrainer, _ continuations: [[Int32]]) throws -> [[Float]] {
        try TurnPolicyScorer(trainer.policy).detachedLogProbs(contexts: states, continuations: continuations, batchSize: states.count)
    }

    @Test func aReferenceEqualToThePolicyLeavesTheWeightsAlone() throws {
        let trainer = try trainer(beta: 0.5, reference: try tinyPolicy(seed: 1), q: 0.6, v: 0.25)
        let weights = try trainer.tokenAdvantages(states: states, actions: actions)
        let current = try scored(trainer, actions)
        let (penalised, kl) = try trainer.penalisedByKL(weights, states: states, actions: actions, current: current, reference: trainer.reference!)
        #expect(abs(kl) < 1e-6)
        for (a, b) in zip(penalised.joined(), weights.joined()) { #expect(abs(a - b) < 1e-6) }
    }

    /// The actor's KL term takes log π(a_t|·) from sampling the utterances instead of scoring
    /// them again: they must be the scored log-probs.
    @Test func sampledRepliesCarryThePolicysScoredLogProbs() throws {
        let trainer = try trainer(beta: 0.5, reference: try tinyPolicy(seed: 9), q: 0.6, v: 0.25)
        var rng = SeededRNG(seed: 6)
        let replies = try trainer.sampleReplies(states, rng: &rng)
        let scored = try scored(trainer, replies.map(\.tokens))
        for (reply, row) in zip(replies, scored) {
            #expect(reply.policyLogProbs.count == row.count)
            for (a, b) in zip(reply.policyLogProbs, row) { #expect(abs(a - b) < 1e-4) }
        }
    }

    @Test func eachTokensWeightDropsByBetaTimesOneMinusTheRatio() throws {
        let reference = try tinyPolicy(seed: 9)
        let trainer = try trainer(beta: 0.5, reference: reference, q: 0.6, v: 0.25)
        let weights = try trainer.tokenAdvantages(states: states, actions: actions)
        let current = try scored(trainer, actions)
        let (penalised, kl) = try trainer.penalisedByKL(weights, states: states, actions: actions, current: current, reference: reference)
        // The log-probs scored independently, one sequence at a time (no batch padding).
        var k3: [Float] = []
        for (b, (state, action)) in zip(states, actions).enumerated() {
            let current = try TurnPolicyScorer(trainer.policy).detachedLogProbs(contexts: [state], continuations: [action], batchSize: 1)[0]
            let anchored = try TurnPolicyScorer(reference).detachedLogProbs(contexts: [state], continuations: [action], batchSize: 1)[0]
            for t in action.indices {
                let r = exp(anchored[t] - current[t])
                #expect(abs(penalised[b][t] - (0.35 - 0.5 * (1 - r))) < 1e-4, "token \(t) of utterance \(b)")
                k3.append(r - (anchored[t] - current[t]) - 1)
            }
        }
        #expect(abs(kl - k3.reduce(0, +) / Float(k3.count)) < 1e-4)
        #expect(kl > 0)
    }

    /// The collapse regime of issue #8's SmolLM2 runs: the critic's V above its Q, so every
    /// sampled utterance gets a negative advantage and REINFORCE pushes probability elsewhere.
    /// KL to the reference after `steps` actor steps with penalty `beta`.
    private func driftedKL(beta: Float, steps: Int) throws -> Float {
        let trainer = try trainer(beta: beta, reference: try tinyPolicy(seed: 1), q: 0.25, v: 0.6, learningRate: 1e-2)
        var rng = SeededRNG(seed: 5)
        var kl: Float = 0
        for _ in 0..<steps { kl = try #require(trainer.actorStep(rng: &rng).klToReference) }
        return kl
    }

    @Test func aLargerPenaltyKeepsTheActorCloserToTheReference() throws {
        let loose = try driftedKL(beta: 0.01, steps: 12)
        let tight = try driftedKL(beta: 5, steps: 12)
        #expect(loose > 0 && tight < loose / 2, "KL with β 0.01: \(loose), with β 5: \(tight)")
        print("ArCHer KL to the reference after 12 actor steps with every advantage −0.35: β 0.01 → \(loose), β 5 → \(tight)")
    }

    @Test func aPenaltyWithoutAReferenceIsRejected() throws {
        #expect(throws: PolicyGradientError.self) { try trainer(beta: 0.1, reference: nil, q: 0, v: 0) }
    }
}
