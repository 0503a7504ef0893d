import EnvironmentKit
import PolicyModels
import TensorCore

/// Evaluation of a policy on a split: success and return with 95 % bootstrap intervals, turns
/// and tool calls, for one decoding mode.
public struct EvaluationSummary: Sendable, Equatable, Codable {
    /// "greedy" or "sampled".
    public var mode: String
    public var episodes: Int
    public var successRate: Estimate
    public var meanReturn: Estimate
    public var meanTurns: Double
    public var meanToolCalls: Double
    /// Mean context length per turn, tokens.
    public var meanContextTokens: Double
    /// Episodes with an infrastructure error (left out of every figure above).
    public var infraErrors: Int
    /// Success rate per task kind.
    public var successByKind: [String: Double]

    /// Summarises played episodes; infrastructure failures are counted, not scored.
    public init(mode: String, episodes played: [PlayedEpisode], seed: UInt64 = 0) {
        let scored = played.filter { $0.record.status != .infraError }
        self.mode = mode
        episodes = scored.count
        successRate = Bootstrap.meanInterval(scored.map { $0.success ? 1 : 0 }, seed: seed)
        meanReturn = Bootstrap.meanInterval(scored.map(\.episodeReturn), seed: seed &+ 1)
        let n = Double(max(scored.count, 1))
        meanTurns = Double(scored.reduce(0) { $0 + $1.turns }) / n
        meanToolCalls = Double(scored.reduce(0) { $0 + $1.toolCalls }) / n
        meanContextTokens = scored.reduce(0) { $0 + $1.meanContextTokens } / n
        infraErrors = played.count - scored.count
        var byKind: [String: (Int, Int)] = [:]
        for e in scored { byKind[e.taskKind, default: (0, 0)].0 += e.success ? 1 : 0; byKind[e.taskKind, default: (0, 0)].1 += 1 }
        successByKind = byKind.mapValues { Double($0.0) / Double($0.1) }
    }
}

/// Runs evaluation episodes.
public enum Evaluator {
    /// Plays `episodes` episodes of `split` (seeds 0..<episodes, so every evaluation of a split
    /// sees the same tasks) with greedy decoding (`greedy`) or sampling at temperature 1.
    public static func evaluate(
        policy: any TurnPolicy, provider: any EnvironmentProvider, split: Split = .test, episodes: Int,
        greedy: Bool, batchSize: Int = 16, perTurnMaxNewTokens: Int = 96, seed: UInt64 = 0
    ) async throws -> (summary: EvaluationSummary, episodes: [PlayedEpisode]) {
        let sampling = greedy ? SamplingConfig.greedy(maxNewTokens: perTurnMaxNewTokens) : SamplingConfig(maxNewTokens: perTurnMaxNewTokens)
        let worker = RolloutWorker(
            provider: provider, policy: policy,
            settings: RolloutSettings(split: split, sampling: sampling, batchSize: batchSize, perTurnMaxNewTokens: perTurnMaxNewTokens))
        var rng = SeededRNG(seed: seed)
        let played = try await worker.play(seeds: (0..<UInt64(episodes)).map { $0 }, rng: &rng)
        return (EvaluationSummary(mode: greedy ? "greedy" : "sampled", episodes: played, seed: seed), played)
    }
}
