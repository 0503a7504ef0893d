/// Group-relative advantages for turn-level GRPO with GiGPO's step groups (Feng et al. 2025,
/// "Group-in-Group Policy Optimization for LLM Agent Training", arXiv 2505.10978):
///
/// - episode level: A^E(τ_i) = (R(τ_i) − mean_j R(τ_j)) / F_norm over the G episodes of one task;
/// - step level: turns of that task's episodes whose contexts are identical form an *anchor
///   group*; A^S = (R_t − mean over the anchor group) / F_norm with R_t = Σ_{k≥t} γ^{k−t} r_k
///   the discounted return from that turn;
/// - combined: A = A^E + ω·A^S, given to every token of the turn.
///
/// F_norm is 1 by default (Dr. GRPO, Liu et al. 2025, arXiv 2503.20783: dividing by the
/// group's standard deviation up-weights near-unanimous groups) or the sample standard deviation.
/// Pure functions on numbers, so each piece is checked by hand in the tests.
public enum GroupAdvantages {
    /// x_i − mean(x), optionally divided by the sample standard deviation (+ `epsilon`).
    /// A group of one has no peers to compare with: its advantage is 0.
    public static func centred(_ values: [Float], scaleByStd: Bool = false, epsilon: Float = 1e-6) -> [Float] {
        guard values.count > 1 else { return values.map { _ in 0 } }
        let n = Float(values.count)
        let mean = values.reduce(0, +) / n
        let deviations = values.map { $0 - mean }
        guard scaleByStd else { return deviations }
        let variance = deviations.reduce(0) { $0 + $1 * $1 } / (n - 1)
        return deviations.map { $0 / (variance.squareRoot() + epsilon) }
    }

    /// R_t = Σ_{k≥t} γ^{k−t} r_k for every turn t.
    public static func returnsToGo(_ rewards: [Float], gamma: Float) -> [Float] {
        var out = [Float](repeating: 0, count: rewards.count)
        var running: Float = 0
        for t in rewards.indices.reversed() {
            running = rewards[t] + gamma * running
            out[t] = running
        }
        return out
    }

    /// A^E for each episode of one task's group.
    public static func episodeLevel(_ group: [EpisodeSample], scaleByStd: Bool = false) -> [Float] {
        centred(group.map(\.totalReward), scaleByStd: scaleByStd)
    }

    /// A^S for every turn of one task's group (`[episode][turn]`): turns with identical
    /// context tokens are one anchor state, compared on their discounted returns-to-go.
    public static func stepLevel(_ group: [EpisodeSample], gamma: Float, scaleByStd: Bool = false) -> [[Float]] {
        let returns = group.map { returnsToGo($0.turns.map(\.reward), gamma: gamma) }
        // Members of each anchor group, as (episode, turn) indices, in first-seen order.
        var anchors: [[Int32]: [(episode: Int, turn: Int)]] = [:]
        for (e, episode) in group.enumerated() {
            for (t, turn) in episode.turns.enumerated() { anchors[turn.context, default: []].append((e, t)) }
        }
        var out = returns.map { $0.map { _ in Float(0) } }
        for members in anchors.values {
            let advantages = centred(members.map { returns[$0.episode][$0.turn] }, scaleByStd: scaleByStd)
            for (member, a) in zip(members, advantages) { out[member.episode][member.turn] = a }
        }
        return out
    }

    /// A = A^E + ω·A^S for every turn of one task's group (`[episode][turn]`).
    public static func combined(_ group: [EpisodeSample], stepWeight omega: Float, gamma: Float,
                                scaleByStd: Bool = false) -> [[Float]] {
        let episode = episodeLevel(group, scaleByStd: scaleByStd)
        let step = stepLevel(group, gamma: gamma, scaleByStd: scaleByStd)
        return zip(episode, step).map { aE, aS in aS.map { aE + omega * $0 } }
    }
}
