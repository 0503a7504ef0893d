import Testing
import PolicyModels
import TensorCore
import Trajectories
@testable import Learners

/// ArCHer's token-level baseline variant: token t's advantage is min(Q₁,Q₂)(s,a) − b(s, a_<t),
/// and b regresses onto that Q.
@Suite struct ArcherTokenBaselineTests {
    private func trainer(tokenBaseline: Bool) throws -> ArcherTrainer {
        let policy = try tinyPolicy()
        var config = ArcherConfig()
        config.criticDModel = 16; config.criticLayers = 1; config.criticHeads = 2; config.criticHeadHiddenSize = 8
        config.tokenBaseline = tokenBaseline
        var rng = SeededRNG(seed: 4)
        let baseline = tokenBaseline ? try TokenCritic(copying: policy.model, rng: &rng) : nil
        let trainer = try ArcherTrainer(policy: policy, vocabularySize: 264, config: config, maxNewTokens: 4, tokenBaseline: baseline, rng: &rng)
        // Critic: Q₁ ≡ 0.7, Q₂ ≡ 0.6, V₁ ≡ 0.5, V₂ ≡ 0.25, so min Q = 0.6 and min V = 0.25.
        for (head, value) in [(trainer.critic.q1, 0.7), (trainer.critic.q2, 0.6), (trainer.critic.v1, 0.5), (trainer.critic.v2, 0.25)] as [(MLP, Float)] {
            head.weights.last!.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] = 0 } }
            head.biases.last!.withUnsafeMutableBufferPointer { $0[0] = value }
        }
        return trainer
    }

    private let states: [[Int32]] = [[1, 2, 3], [4, 5]]
    private let actions: [[Int32]] = [[6, 7, 8], [9]]

    @Test func withoutABaselineEveryTokenGetsTheUtterancesAdvantage() throws {
        let advantages = try trainer(tokenBaseline: false).tokenAdvantages(states: states, actions: actions)
        #expect(advantages.map(\.count) == [3, 1])
        for a in advantages.joined() { #expect(abs(a - 0.35) < 1e-5) }  // 0.6 − 0.25
    }

    @Test func eachTokenGetsQMinusTheBaselineBeforeIt() throws {
        let trainer = try trainer(tokenBaseline: true)
        let baseline = try #require(trainer.tokenBaseline)
        let before = try baseline.detachedValues(contexts: states, continuations: actions, batchSize: 2)
        let advantages = try trainer.tokenAdvantages(states: states, actions: actions)
        #expect(advantages.map(\.count) == [3, 1])
        for (row, values) in zip(advantages, before) {
            for (a, b) in zip(row, values) { #expect(abs(a - (0.6 - b)) < 1e-5) }
        }
        // Tokens of one utterance see different prefixes, so their baselines differ.
        #expect(Set(before[0]).count == 3)
        // The regression step moved b towards Q = 0.6.
        func error(_ values: [[Float]]) -> Float { values.joined().reduce(0) { $0 + ($1 - 0.6) * ($1 - 0.6) } }
        let after = try baseline.detachedValues(contexts: states, continuations: actions, batchSize: 2)
        #expect(error(after) < error(before))
    }
}
