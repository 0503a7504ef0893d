import Testing
@testable import Learners

/// GAE over turns on a three-turn toy episode, by hand.
struct PPOGAETests {
    static func close(_ a: [[Float]], _ b: [[Float]]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) < 1e-5 } }
    }

    @Test func threeTurnEpisodeByHand() {
        // Turns of 2, 1 and 2 tokens; rewards 0, 1, 2; γ = λ = ½.
        // Backwards (A' and V' are the next token's):
        //   turn 2, token 1 (last of episode): δ = 2 − 0.6 = 1.4;                       A = 1.4
        //   turn 2, token 0 (inside a turn, γ = λ = 1): δ = 0.6 − 0.3 = 0.3;             A = 0.3 + 1.4 = 1.7
        //   turn 1, token 0 (turn boundary): δ = 1 + ½·0.3 − 0.4 = 0.75;                 A = 0.75 + ¼·1.7 = 1.175
        //   turn 0, token 1 (turn boundary): δ = 0 + ½·0.4 − 0.2 = 0;                    A = ¼·1.175 = 0.29375
        //   turn 0, token 0: δ = 0.2 − 0.1 = 0.1;                                        A = 0.1 + 0.29375 = 0.39375
        // Returns G = A + V are constant within a turn: 0.49375, 1.575, 2.
        let values: [[Float]] = [[0.1, 0.2], [0.4], [0.3, 0.6]]
        let (advantages, returns) = TurnGAE.estimate(rewards: [0, 1, 2], values: values, gamma: 0.5, lambda: 0.5)
        #expect(Self.close(advantages, [[0.39375, 0.29375], [1.175], [1.7, 1.4]]))
        #expect(Self.close(returns, [[0.49375, 0.49375], [1.575], [2, 2]]))
    }

    @Test func lambdaOneGivesDiscountedReturnsMinusValues() {
        // λ = 1: A = Σ_{k ≥ turn} γ^{k − turn} r_k − V, whatever the other values.
        let (advantages, returns) = TurnGAE.estimate(rewards: [1, 0, 4], values: [[0.5, 0.7], [2], [1]], gamma: 0.5, lambda: 1)
        #expect(Self.close(returns, [[2, 2], [2], [4]]))
        #expect(Self.close(advantages, [[1.5, 1.3], [0], [3]]))
    }

    @Test func anEmptyTurnStillPassesItsRewardBack() {
        // Turn 1 has no tokens; its reward 1 reaches turn 0 discounted once (γ = ½, λ = 1):
        // G_0 = 0 + ½·(1 + ½·2) = 1.
        let (advantages, returns) = TurnGAE.estimate(rewards: [0, 1, 2], values: [[0.25], [], [0]], gamma: 0.5, lambda: 1)
        #expect(Self.close(returns, [[1], [], [2]]))
        #expect(Self.close(advantages, [[0.75], [], [2]]))
    }
}
