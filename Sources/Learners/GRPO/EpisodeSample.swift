/// One turn of a finished episode as the policy-gradient learners (turn-level GRPO, PPO) see
/// it: the exact tokens the policy read, the tokens it wrote, and the reward the environment
/// gave for that turn.
public struct TurnSample: Sendable, Equatable {
    /// Token ids of the context the policy was conditioned on (after any compaction).
    public var context: [Int32]
    /// Token ids the policy generated this turn (the action).
    public var utterance: [Int32]
    /// Reward returned by the environment's step for this utterance.
    public var reward: Float

    public init(context: [Int32], utterance: [Int32], reward: Float) {
        self.context = context
        self.utterance = utterance
        self.reward = reward
    }
}

/// A finished episode: its turns in order. The value after the last turn is taken as 0
/// (terminated and truncated episodes alike: no state after the last turn is recorded).
public struct EpisodeSample: Sendable, Equatable {
    public var turns: [TurnSample]

    public init(turns: [TurnSample]) { self.turns = turns }

    /// R(τ) = Σ_t r_t, the undiscounted episode return GRPO compares within a group.
    public var totalReward: Float { turns.reduce(0) { $0 + $1.reward } }
}
