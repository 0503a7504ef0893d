import PolicyModels
import TensorCore

extension PPOLearner {
    /// A PPO learner for a `TurnPolicy` (what `turnrl train --algo ppo` builds); the critic is
    /// typically `TokenCritic(copying: gpt2Policy.model, rng:)`.
    public convenience init(policy: any TurnPolicy, critic: TokenCritic, hyperparameters: PPOHyperparameters = PPOHyperparameters(),
                            reference: (any TurnPolicy)? = nil, seed: UInt64 = 0) throws(PolicyGradientError) {
        try self.init(scoring: TurnPolicyScorer(policy), critic: critic, hyperparameters: hyperparameters,
                      reference: reference.map { TurnPolicyScorer($0) }, seed: seed)
    }

    /// Trains on played episodes (infrastructure failures and masked rollouts left out).
    public func update(played: [PlayedEpisode]) throws -> PolicyGradientMetrics {
        try update(episodes: played.filter(\.isTrainable).map(EpisodeSample.init))
    }
}
