import EnvironmentKit
import Trajectories

/// Expert demonstrations in the policy's tokens: the environment's scripted expert plays through
/// the same context builder the policy will (`Trajectories.BudgetedExpert`: the manifest's
/// budget capped at the policy's context length, its compaction mode, the expert writing its own
/// summaries), so each turn's context is exactly what the policy reads at that point and its
/// generated ids are `policy.replyTokens(for:)` of the expert's utterance. Demonstrations carry
/// log-prob 0 per token (the expert is not a distribution over ids).
public enum ExpertDemonstrations {
    /// Plays one expert episode per seed. Throws when the environment has no expert or an
    /// episode hits an infrastructure failure (a demonstration set with holes is not one).
    public static func collect(
        provider: any EnvironmentProvider, policy: any TurnPolicy, seeds: [UInt64], split: Split = .train,
        perTurnMaxNewTokens: Int = 96
    ) async throws -> [PlayedEpisode] {
        guard let expert = provider.expert else {
            throw EnvironmentError.unavailable(what: "an expert (expert.py)", environment: provider.spec.name, fix: "Behaviour cloning needs the environment's expert.")
        }
        let configuration = RolloutWorker.builderConfiguration(spec: provider.spec, policy: policy, perTurnMaxNewTokens: perTurnMaxNewTokens)
        let encoder = replyEncoder(for: policy)
        let outcomes = try await BudgetedExpert.playMany(
            provider, expert: expert, configuration: configuration, seeds: seeds, options: ResetOptions(split: split), encoder: encoder)
        return zip(seeds, outcomes).map { episode($1, environment: provider.spec.name, split: split, seed: $0) }
    }

    static func episode(_ outcome: BudgetedExpert.Outcome, environment: String, split: Split, seed: UInt64) -> PlayedEpisode {
        let record = EpisodeRecordData(
            environment: environment, taskID: outcome.task.id, split: split.rawValue, seed: seed,
            episodeReturn: outcome.turns.reduce(0) { $0 + $1.reward }, status: outcome.status, turns: outcome.turns)
        return PlayedEpisode(record: record, taskKind: outcome.task.kind, success: outcome.success, toolCalls: outcome.toolCalls)
    }

    /// The policy's ids for an expert utterance: `replyTokens(for:)` when it fits in the turn's
    /// room; otherwise the longest prefix of the text (whole characters) whose ids fit, without the
    /// end-of-reply marker, as a generation cut by the length limit would look.
    static func replyEncoder(for policy: any TurnPolicy) -> BudgetedExpert.ReplyEncoder {
        BudgetedExpert.ReplyEncoder(tokenizer: policy.contextTokenizer) { text, maxNewTokens in
            let whole = policy.replyTokens(for: text)
            if whole.count <= maxNewTokens { return (whole, text) }
            let characters = Array(text)
            var (fits, tooLong) = (0, characters.count)  // longest fitting prefix length is in [fits, tooLong)
            while tooLong - fits > 1 {
                let middle = (fits + tooLong) / 2
                if policy.strippingReplyClosing(policy.replyTokens(for: String(characters[..<middle]))).count <= maxNewTokens {
                    fits = middle
                } else {
                    tooLong = middle
                }
            }
            let prefix = String(characters[..<fits])
            return (policy.strippingReplyClosing(policy.replyTokens(for: prefix)), prefix)
        }
    }
}
