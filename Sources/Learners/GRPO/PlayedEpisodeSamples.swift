import TensorCore
import Trajectories

extension EpisodeSample {
    /// The learner's view of a played episode: every turn's exact context and generated ids
    /// and its reward (summary turns from compaction included: they train like any other turn).
    public init(_ played: PlayedEpisode) {
        self.init(turns: played.record.turns.map {
            TurnSample(context: $0.contextTokens, utterance: $0.generatedTokens, reward: Float($0.reward))
        })
    }

    /// Trainable played episodes grouped by task (`record.taskID`), groups in first-seen order.
    /// Infrastructure failures and masked rollouts are left out: they are not scores.
    public static func groupedByTask(_ played: [PlayedEpisode]) -> [[EpisodeSample]] {
        var order: [String] = []
        var groups: [String: [EpisodeSample]] = [:]
        for episode in played where episode.isTrainable {
            if groups[episode.record.taskID] == nil { order.append(episode.record.taskID) }
            groups[episode.record.taskID, default: []].append(EpisodeSample(episode))
        }
        return order.map { groups[$0]! }
    }
}

extension GRPOLearner {
    /// A GRPO learner for a `TurnPolicy` (what `turnrl train --algo grpo` builds).
    public convenience init(policy: any TurnPolicy, hyperparameters: GRPOHyperparameters = GRPOHyperparameters(),
                            reference: (any TurnPolicy)? = nil, seed: UInt64 = 0) throws(PolicyGradientError) {
        try self.init(scoring: TurnPolicyScorer(policy), hyperparameters: hyperparameters,
                      reference: reference.map { TurnPolicyScorer($0) }, seed: seed)
    }

    /// Seeds for one iteration's rollouts: `tasks` fresh seeds, each repeated `groupSize`
    /// times in a row, so every task is played by a whole group (an environment's reset picks
    /// its task from the seed).
    public func groupedSeeds(tasks: Int, rng: inout SeededRNG) -> [UInt64] {
        (0..<tasks).flatMap { _ in [UInt64](repeating: rng.next(), count: hyperparameters.groupSize) }
    }

    /// Trains on played episodes, grouped by task.
    public func update(played: [PlayedEpisode]) throws -> PolicyGradientMetrics {
        try update(groups: EpisodeSample.groupedByTask(played))
    }
}
