import Foundation

/// What a resumed run needs besides the weights: counters, the before-training evaluation and
/// where the latest checkpoint is. Written as `state.json` in every checkpoint folder and in the
/// run folder (the latter points at the latest checkpoint).
///
/// Per-iteration randomness is not stored: every iteration draws from a generator seeded by (run
/// seed, iteration), so a resumed run continues the exact stream an uninterrupted run would use.
/// The learner's own state (optimizer moments, critics, its minibatch generator) is in the
/// checkpoint folder next to the weights (`LearnerCheckpoint`).
public struct RunState: Codable, Sendable, Equatable {
    /// The run's row in run.sqlite.
    public var runID: Int64
    /// Cumulative environment episodes (demonstrations + rollouts; evaluation not counted).
    public var episodes = 0
    /// Rollout episodes of the RL phase (what `TrainingConfig.episodes` budgets).
    public var rlEpisodes = 0
    /// RL iterations completed.
    public var iteration = 0
    /// Updates logged so far (the `step` column).
    public var step = 0
    /// The warm start is finished.
    public var bcDone = false
    /// Warm-start steps taken when the checkpoint was written (nil in runs from before it was
    /// recorded); a run resumed inside the warm start continues from this step.
    public var bcSteps: Int?
    /// Seconds spent in the RL phase (the `minutes` budget spans resumes).
    public var rlSeconds: Double = 0
    /// The largest episode id in run.sqlite that belongs to the checkpointed state.
    public var lastEpisodeID: Int64 = 0
    /// Metric values in run.sqlite when the checkpoint was written (nil in runs from before it
    /// was recorded); a resumed run deletes the ones after it, as it drops metrics.csv's rows.
    public var metricValues: Int?
    /// Checkpoint folder relative to the run folder (nil before the first checkpoint).
    public var checkpoint: String?
    /// Greedy and sampled test evaluation before training.
    public var before: [EvaluationSummary] = []

    public init(runID: Int64) { self.runID = runID }

    static func load(_ url: URL) throws -> RunState {
        try JSONDecoder().decode(RunState.self, from: Data(contentsOf: url))
    }

    func write(_ url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}

/// The `summary.json` of a run (also what `turnrl train --json` prints).
public struct RunSummary: Codable, Sendable, Equatable {
    public struct Final: Codable, Sendable, Equatable {
        public var successRate: Double
        public var meanReturn: Double
    }
    /// The run folder.
    public var run: String
    public var episodes: Int
    /// Greedy test evaluation after training when the run evaluated, else the last iteration's rollouts.
    public var final: Final
    /// The final checkpoint folder.
    public var checkpoint: String
    /// Greedy and sampled test evaluations before and after training.
    public var before: [String: EvaluationSummary]?
    public var after: [String: EvaluationSummary]?
}
