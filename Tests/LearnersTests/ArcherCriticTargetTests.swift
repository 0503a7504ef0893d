import Testing
import PolicyModels
import TensorCore
import Trajectories
@testable import Learners

/// The critic's TD targets on a three-turn toy episode, checked against values computed by hand.
@Suite struct ArcherCriticTargetTests {
    /// Makes `head` output `value` for every input: zero weights in the last layer, bias = value.
    func setConstant(_ head: MLP, _ value: Float) {
        head.weights.last!.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] = 0 } }
        head.biases.last!.withUnsafeMutableBufferPointer { $0[0] = value }
    }

    /// Turns with contexts [1], [1,2,3], [1,2,3,4,5], rewards 0, 0, 1, terminated.
    func threeTurnEpisode() -> EpisodeRecordData {
        let turns = [
            TurnRecord(contextTokens: [1], generatedTokens: [2], logProbs: [0], reward: 0, utterance: "a"),
            TurnRecord(contextTokens: [1, 2, 3], generatedTokens: [4], logProbs: [0], reward: 0, utterance: "b"),
            TurnRecord(contextTokens: [1, 2, 3, 4, 5], generatedTokens: [6], logProbs: [0], reward: 1, utterance: "c"),
        ]
        return EpisodeRecordData(environment: "toy", taskID: "t", split: "train", seed: 0, episodeReturn: 1, status: .terminated, turns: turns)
    }

    @Test func tdTargetsMatchHandComputedValues() throws {
        let policy = try tinyPolicy()
        var config = ArcherConfig()
        config.criticDModel = 16; config.criticLayers = 1; config.criticHeads = 2; config.criticHeadHiddenSize = 8
        var rng = SeededRNG(seed: 4)
        let trainer = try ArcherTrainer(policy: policy, vocabularySize: 264, config: config, maxNewTokens: 4, rng: &rng)
        // Target critic: V̄₁ ≡ 0.5, V̄₂ ≡ 0.25, Q̄₁ ≡ 0.7, Q̄₂ ≡ 0.6.
        setConstant(trainer.targetCritic.v1, 0.5); setConstant(trainer.targetCritic.v2, 0.25)
        setConstant(trainer.targetCritic.q1, 0.7); setConstant(trainer.targetCritic.q2, 0.6)
        let transitions = Transition.transitions(of: threeTurnEpisode())
        #expect(transitions.map(\.done) == [false, false, true])
        #expect(transitions.map(\.nextContext) == [[1, 2, 3], [1, 2, 3, 4, 5], []])
        let targets = try trainer.criticTargets(transitions, freshActions: [[7], [8], [9]])
        // y_Q,k = r + γ(1−done)·V̄_k(s′) with γ = 0.95: 0.95·0.5 = 0.475, 0.95·0.25 = 0.2375; last: r = 1.
        let expectedQ1: [Float] = [0.475, 0.475, 1], expectedQ2: [Float] = [0.2375, 0.2375, 1]
        for i in 0..<3 {
            #expect(abs(targets.q1[i] - expectedQ1[i]) < 1e-6)
            #expect(abs(targets.q2[i] - expectedQ2[i]) < 1e-6)
            // y_V,k = Q̄_k(s, a′).
            #expect(abs(targets.v1[i] - 0.7) < 1e-6)
            #expect(abs(targets.v2[i] - 0.6) < 1e-6)
        }
    }

    /// Further passes reuse the transitions and fresh replies the phase drew: on the toy
    /// episode, one sampled batch and 30 passes fit the last turn's Q (its target is its reward,
    /// 1) far closer than the single reference step does.
    @Test func furtherCriticPassesAreExtraStepsOnTheSameSamples() throws {
        func fit(passes: Int) throws -> (error: Float, steps: Int) {
            var config = ArcherConfig()
            config.criticDModel = 16; config.criticLayers = 1; config.criticHeads = 2; config.criticHeadHiddenSize = 8
            config.batchSize = 12; config.criticStepsPerIteration = 1; config.criticPassesPerIteration = passes
            var rng = SeededRNG(seed: 6)
            let trainer = try ArcherTrainer(policy: try tinyPolicy(), vocabularySize: 264, config: config, maxNewTokens: 4, rng: &rng)
            let transitions = Transition.transitions(of: threeTurnEpisode())
            trainer.replay.append(contentsOf: transitions)
            let stats = try trainer.criticPhase(rng: &rng)
            let q = try trainer.criticValues(states: [transitions[2].context], actions: [transitions[2].utterance]).q[0]
            return (abs(q - 1), stats.steps)
        }
        let one = try fit(passes: 1), many = try fit(passes: 30)
        #expect(one.steps == 1)
        #expect(many.steps == 30)
        #expect(many.error < one.error / 2)
    }

    @Test func targetCriticIsSoftUpdatedAfterEveryCriticStep() throws {
        let policy = try tinyPolicy()
        var config = ArcherConfig()
        config.criticDModel = 16; config.criticLayers = 1; config.criticHeads = 2; config.criticHeadHiddenSize = 8
        var rng = SeededRNG(seed: 5)
        let trainer = try ArcherTrainer(policy: policy, vocabularySize: 264, config: config, maxNewTokens: 4, rng: &rng)
        let before = trainer.targetCritic.parameters.map { $0.toArray() }
        let transitions = Transition.transitions(of: threeTurnEpisode())
        try trainer.criticStep(transitions, freshActions: [[7], [8], [9]])
        let online = trainer.critic.parameters.map { $0.toArray() }
        let after = trainer.targetCritic.parameters.map { $0.toArray() }
        var worst: Float = 0
        for p in before.indices {
            for i in before[p].indices { worst = max(worst, abs(after[p][i] - (0.1 * online[p][i] + 0.9 * before[p][i]))) }
        }
        #expect(worst < 1e-6)
        #expect(before != after)
    }
}
