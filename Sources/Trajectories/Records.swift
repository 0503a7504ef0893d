import EnvironmentKit
import Foundation

/// How an episode ended. Stored as text so the database stays readable with the sqlite3 shell.
public enum EpisodeStatus: String, Codable, Sendable, Equatable, CaseIterable {
    /// The environment terminated it (an answer was given and verified).
    case terminated
    /// It hit a turn limit or the context budget (compaction mode `none`) before terminating.
    case truncated
    /// A tool, verifier or sandbox crashed: the return is NOT a score and must not be trained on.
    case infraError = "infra_error"
    /// It exceeded the cap on summaries per episode; stored for inspection, masked from updates.
    case masked
}

/// One training run: the configuration and code that produced its episodes.
public struct RunRecord: Codable, Sendable, Equatable {
    /// Database id (assigned by `TrajectoryStore.beginRun`).
    public var id: Int64
    /// Human-readable name, e.g. "archer-long-ledger".
    public var name: String
    /// The full run configuration as JSON text, so a run can be reproduced from the database alone.
    public var configJSON: String
    /// The run's root seed.
    public var seed: UInt64
    /// The code version (e.g. `git describe --dirty`) that produced the run.
    public var codeVersion: String
    /// Creation time, seconds since 1970.
    public var createdAt: Double

    public init(id: Int64 = 0, name: String, configJSON: String, seed: UInt64, codeVersion: String, createdAt: Double = 0) {
        self.id = id
        self.name = name
        self.configJSON = configJSON
        self.seed = seed
        self.codeVersion = codeVersion
        self.createdAt = createdAt
    }
}

/// One policy turn, token-exact: the context the policy saw, what it generated, and the outcome.
public struct TurnRecord: Codable, Sendable, Equatable {
    /// The exact context token ids the policy was conditioned on.
    public var contextTokens: [Int32]
    /// The generated token ids, exactly as sampled (never re-tokenised from text).
    public var generatedTokens: [Int32]
    /// Per generated token, its log-probability under the behaviour policy.
    public var logProbs: [Float]
    /// The reward the environment gave for this turn.
    public var reward: Double
    /// Tool calls the turn made, with arguments, results and durations.
    public var toolCalls: [ToolCallRecord]
    /// The turn is a summary (compaction) turn: trainable, but ends a SUPO segment.
    public var isSummary: Bool
    /// Messages that entered the conversation since the previous turn's reply and before this one
    /// (turn 0: system prompt + task; later: the previous observation, a "[summarize]" request).
    public var messagesBefore: [ChatMessage]
    /// The decoded text of `generatedTokens` (for display and chat-form export).
    public var utterance: String

    public init(
        contextTokens: [Int32], generatedTokens: [Int32], logProbs: [Float], reward: Double,
        toolCalls: [ToolCallRecord] = [], isSummary: Bool = false, messagesBefore: [ChatMessage] = [],
        utterance: String
    ) {
        self.contextTokens = contextTokens
        self.generatedTokens = generatedTokens
        self.logProbs = logProbs
        self.reward = reward
        self.toolCalls = toolCalls
        self.isSummary = isSummary
        self.messagesBefore = messagesBefore
        self.utterance = utterance
    }
}

/// One episode with all its turns, as written to and read back from the store.
public struct EpisodeRecordData: Codable, Sendable, Equatable {
    /// Database id (0 until stored).
    public var id: Int64
    /// Environment name, e.g. "long-ledger".
    public var environment: String
    /// The task id within its split.
    public var taskID: String
    /// "train" or "test".
    public var split: String
    /// The reset seed.
    public var seed: UInt64
    /// Sum of turn rewards (the undiscounted return).
    public var episodeReturn: Double
    /// How the episode ended.
    public var status: EpisodeStatus
    /// What crashed, when `status == .infraError`.
    public var infraError: String?
    /// The turns in order.
    public var turns: [TurnRecord]

    /// Number of turns.
    public var length: Int { turns.count }

    public init(
        id: Int64 = 0, environment: String, taskID: String, split: String, seed: UInt64,
        episodeReturn: Double, status: EpisodeStatus, infraError: String? = nil, turns: [TurnRecord]
    ) {
        self.id = id
        self.environment = environment
        self.taskID = taskID
        self.split = split
        self.seed = seed
        self.episodeReturn = episodeReturn
        self.status = status
        self.infraError = infraError
        self.turns = turns
    }
}

/// One scalar metric of a run at a step (loss, success rate, ...).
public struct MetricRecord: Codable, Sendable, Equatable {
    /// The training step or episode index the value belongs to.
    public var step: Int64
    /// Metric name, e.g. "train/success".
    public var name: String
    /// The value.
    public var value: Double

    public init(step: Int64, name: String, value: Double) {
        self.step = step
        self.name = name
        self.value = value
    }
}

/// An episode's row without its turns: what a listing of a run shows.
public struct EpisodeSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var environment: String
    public var taskID: String
    public var split: String
    public var seed: UInt64
    public var episodeReturn: Double
    /// Number of turns.
    public var length: Int
    /// nil when the stored status text is unknown to this version.
    public var status: EpisodeStatus?
    /// Summary (compaction) turns in the episode.
    public var summaryCount: Int

    public init(
        id: Int64, environment: String, taskID: String, split: String, seed: UInt64, episodeReturn: Double,
        length: Int, status: EpisodeStatus?, summaryCount: Int
    ) {
        self.id = id
        self.environment = environment
        self.taskID = taskID
        self.split = split
        self.seed = seed
        self.episodeReturn = episodeReturn
        self.length = length
        self.status = status
        self.summaryCount = summaryCount
    }
}
