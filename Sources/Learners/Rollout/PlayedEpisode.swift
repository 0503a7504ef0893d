import EnvironmentKit
import Trajectories

/// One finished episode as a learner sees it: the token-exact record (what the store keeps)
/// plus the statistics evaluation and the progress bar report.
public struct PlayedEpisode: Sendable, Equatable {
    /// Turns with exact context ids, generated ids and behaviour log-probs.
    public var record: EpisodeRecordData
    /// The task kind (per-kind diagnostics such as the first-action probability).
    public var taskKind: String
    /// Whether the final answer was verified correct.
    public var success: Bool
    /// Tool calls made over the episode.
    public var toolCalls: Int

    public init(record: EpisodeRecordData, taskKind: String, success: Bool, toolCalls: Int) {
        self.record = record
        self.taskKind = taskKind
        self.success = success
        self.toolCalls = toolCalls
    }

    /// Undiscounted return.
    public var episodeReturn: Double { record.episodeReturn }
    /// Number of turns (summary turns included).
    public var turns: Int { record.turns.count }
    /// Whether learners may train on it (infrastructure failures and masked rollouts are not scores).
    public var isTrainable: Bool { record.status.isTrainable && !record.turns.isEmpty }
    /// Mean context length over its turns, in tokens.
    public var meanContextTokens: Double {
        record.turns.isEmpty ? 0 : Double(record.turns.reduce(0) { $0 + $1.contextTokens.count }) / Double(record.turns.count)
    }
    /// Tokens the policy generated over the episode.
    public var generatedTokens: Int { record.turns.reduce(0) { $0 + $1.generatedTokens.count } }
}
