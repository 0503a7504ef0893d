/// Generalised advantage estimation (Schulman et al. 2016, arXiv 1506.02438) over the tokens
/// of a multi-turn episode, with a value at every generated token and the turn's reward at its
/// last token.
///
/// The episode is read as one token-level chain: every generated token is an action, and the
/// environment's reply between turns is part of the transition. Discounting and the GAE trace
/// act between *turns* (γ, λ), not between tokens of one turn (1, 1), so a turn's length does
/// not change its credit. Within a turn the TD errors telescope, which gives the closed form
///
///     A_{k,j} = r_k + γ·V_{k+1,0} − V_{k,j} + γλ·A_{k+1,0},
///     G_{k,j} = A_{k,j} + V_{k,j} = r_k + γ·V_{k+1,0} + γλ·A_{k+1,0}   (the same for the whole turn),
///
/// i.e. turn-level GAE with a per-token baseline. The value after the last turn is 0.
public enum TurnGAE {
    /// Per-token advantages and value targets (returns), shaped like `values`.
    /// - Parameters:
    ///   - rewards: one reward per turn.
    ///   - values: V at each generated token of each turn (an empty turn has none: its reward
    ///     still reaches earlier turns, as if its value were exact).
    public static func estimate(rewards: [Float], values: [[Float]], gamma: Float, lambda: Float)
        -> (advantages: [[Float]], returns: [[Float]]) {
        precondition(rewards.count == values.count, "\(rewards.count) rewards for \(values.count) turns")
        var advantages = values.map { $0.map { _ in Float(0) } }
        // V and A of the token after the current one (0 past the end of the episode).
        var nextValue: Float = 0, nextAdvantage: Float = 0
        for k in values.indices.reversed() {
            guard !values[k].isEmpty else {
                // No token to credit: pass the reward and the trace through to the turn before.
                nextValue = rewards[k] + gamma * nextValue
                nextAdvantage = gamma * lambda * nextAdvantage
                continue
            }
            for j in values[k].indices.reversed() {
                let last = j == values[k].count - 1
                let (reward, discount, trace) = last ? (rewards[k], gamma, lambda) : (0, 1, 1)
                let delta = reward + discount * nextValue - values[k][j]
                advantages[k][j] = delta + discount * trace * nextAdvantage
                nextValue = values[k][j]
                nextAdvantage = advantages[k][j]
            }
        }
        let returns = zip(advantages, values).map { a, v in zip(a, v).map { $0 + $1 } }
        return (advantages, returns)
    }
}
