import Testing
@testable import Learners

/// GRPO / GiGPO advantages against values computed by hand.
struct GRPOAdvantageTests {
    static func turn(_ context: [Int32], _ reward: Float) -> TurnSample {
        TurnSample(context: context, utterance: [9], reward: reward)
    }

    /// Three episodes of one task. Turn contexts [1] are shared by all three (the task's
    /// opening); [1, 2] by the first and third; the rest are unique.
    ///   E1: [1] r0, [1,2] r1        R = 1   returns-to-go (γ = ½): 0.5, 1
    ///   E2: [1] r0, [1,3] r0        R = 0                          0, 0
    ///   E3: [1] r0, [1,2] r0, [1,2,4] r1   R = 1                   0.25, 0.5, 1
    static let group = [
        EpisodeSample(turns: [turn([1], 0), turn([1, 2], 1)]),
        EpisodeSample(turns: [turn([1], 0), turn([1, 3], 0)]),
        EpisodeSample(turns: [turn([1], 0), turn([1, 2], 0), turn([1, 2, 4], 1)]),
    ]

    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func episodeAdvantagesAreReturnsMinusTheGroupMean() {
        // Mean return 2/3.
        #expect(Self.close(GroupAdvantages.episodeLevel(Self.group), [1.0 / 3, -2.0 / 3, 1.0 / 3]))
        // Vanilla GRPO divides by the sample std: √((1/9 + 4/9 + 1/9) / 2) = √(1/3).
        let std = (Float(1) / 3).squareRoot()
        #expect(Self.close(GroupAdvantages.episodeLevel(Self.group, scaleByStd: true),
                           [1.0 / 3 / std, -2.0 / 3 / std, 1.0 / 3 / std], tolerance: 1e-4))
        // A unanimous group and a group of one carry no signal.
        #expect(GroupAdvantages.centred([1, 1, 1], scaleByStd: true) == [0, 0, 0])
        #expect(GroupAdvantages.centred([5]) == [0])
    }

    @Test func returnsToGoAreDiscounted() {
        #expect(Self.close(GroupAdvantages.returnsToGo([0, 0, 1], gamma: 0.5), [0.25, 0.5, 1]))
        #expect(Self.close(GroupAdvantages.returnsToGo([1, 2, 3], gamma: 1), [6, 5, 3]))
    }

    @Test func stepAdvantagesCompareTurnsFromTheSameAnchorState() {
        // Anchor [1]: returns 0.5, 0, 0.25 (mean 0.25) → 0.25, −0.25, 0.
        // Anchor [1,2]: returns 1 (E1) and 0.5 (E3) (mean 0.75) → 0.25, −0.25.
        // [1,3] and [1,2,4] are alone → 0.
        let step = GroupAdvantages.stepLevel(Self.group, gamma: 0.5)
        #expect(Self.close(step[0], [0.25, 0.25]))
        #expect(Self.close(step[1], [-0.25, 0]))
        #expect(Self.close(step[2], [0, -0.25, 0]))
    }

    @Test func combinedAdvantageIsEpisodePlusWeightedStep() {
        // A = A^E + ω·A^S with ω = 2.
        let a = GroupAdvantages.combined(Self.group, stepWeight: 2, gamma: 0.5)
        #expect(Self.close(a[0], [1.0 / 3 + 0.5, 1.0 / 3 + 0.5]))
        #expect(Self.close(a[1], [-2.0 / 3 - 0.5, -2.0 / 3]))
        #expect(Self.close(a[2], [1.0 / 3, 1.0 / 3 - 0.5, 1.0 / 3]))
        // ω = 0 is plain turn-level GRPO: every turn gets its episode's advantage.
        let plain = GroupAdvantages.combined(Self.group, stepWeight: 0, gamma: 0.5)
        #expect(Self.close(plain[2], [1.0 / 3, 1.0 / 3, 1.0 / 3]))
    }

    @Test func learnerDropsEmptyAndSmallAdvantageTurns() throws {
        var group = Self.group
        group[1].turns[1].utterance = []
        var h = GRPOHyperparameters()
        h.stepAdvantageWeight = 2
        h.gamma = 0.5
        h.minimumAbsoluteAdvantage = 0.4
        let learner = try GRPOLearner(scoring: try ToyPolicy(vocabularySize: 16, seed: 1), hyperparameters: h)
        let (kept, dropped) = learner.samples(from: [group])
        // |A| ≥ 0.4 leaves E1's two turns (5/6), E2's first (−7/6); E2's second is empty and
        // E3's (1/3, −1/6, 1/3) are below the threshold.
        #expect(kept.map(\.advantage).count == 3)
        #expect(Self.close(kept.map(\.advantage), [5.0 / 6, 5.0 / 6, -7.0 / 6]))
        #expect(dropped == 4)
    }
}
