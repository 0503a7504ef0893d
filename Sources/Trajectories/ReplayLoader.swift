import Foundation
import GRDB

extension Transition {
    /// The transitions of one stored episode, one per turn: context = the exact token ids the
    /// policy saw, utterance = the generated ids, next context = the next turn's context (shared
    /// storage, not a copy), done on the last turn (also for truncated episodes: there is no
    /// stored next state to bootstrap from).
    public static func transitions(of episode: EpisodeRecordData) -> [Transition] {
        transitions(
            contexts: episode.turns.map(\.contextTokens), utterances: episode.turns.map(\.generatedTokens),
            rewards: episode.turns.map(\.reward), episodeID: episode.id == 0 ? nil : episode.id)
    }

    /// Transitions from per-turn columns of one episode (all three arrays one entry per turn).
    static func transitions(contexts: [[Int32]], utterances: [[Int32]], rewards: [Double], episodeID: Int64?) -> [Transition] {
        contexts.indices.map { i in
            let last = i == contexts.count - 1
            return Transition(
                context: contexts[i], utterance: utterances[i], reward: Float(rewards[i]),
                nextContext: last ? [] : contexts[i + 1], done: last, episodeID: episodeID)
        }
    }
}

extension TrajectoryStore {
    /// An episode's transitions read from the token columns only (no JSON decoded): what the
    /// replay loader needs, several times faster than `episode(id:)`.
    func transitions(episode id: Int64) throws -> [Transition] {
        let rows = try read("read episode tokens") { db in
            try Row.fetchAll(
                db, sql: "SELECT idx, context_prefix_len, context_suffix, generated, logprobs, reward FROM turns WHERE episode_id = ? ORDER BY idx",
                arguments: [id])
        }
        var contexts: [[Int32]] = []
        var utterances: [[Int32]] = []
        var rewards: [Double] = []
        for row in rows {
            let previous = contexts.last.map { ($0, utterances[utterances.count - 1]) }
            let tokens = try EncodedTurn.decodeTokens(row, episodeID: id, previous: previous)
            contexts.append(tokens.context)
            utterances.append(tokens.generated)
            rewards.append(row["reward"])
        }
        return Transition.transitions(contexts: contexts, utterances: utterances, rewards: rewards, episodeID: id)
    }
}

extension EpisodeStatus {
    /// The episode may be learned from: not an infrastructure failure (its return is not a
    /// score) and not masked for exceeding the summary cap.
    public var isTrainable: Bool { self == .terminated || self == .truncated }
}

/// Feeds a `ReplayBuffer` from a run's episodes in a `TrajectoryStore`.
///
/// The buffer is the in-memory cache: a training step samples from memory and never waits on
/// disk. Between steps the learner pulls only the episodes committed since the last pull
/// (`newTransitions` reads the database and can run off the training thread; `refresh` does
/// both steps). Episodes that are not trainable (`infra_error`, `masked`) are skipped.
public struct ReplayLoader: Sendable {
    /// The store read from.
    public let store: TrajectoryStore
    /// The run whose episodes are loaded.
    public let run: Int64
    /// The highest episode id already loaded (0 before the first pull).
    public private(set) var lastEpisodeID: Int64 = 0

    public init(store: TrajectoryStore, run: Int64) {
        self.store = store
        self.run = run
    }

    /// Transitions of the episodes committed since the last pull, oldest first. With `limit`,
    /// only the newest episodes are read, enough for about `limit` transitions (a buffer of
    /// that capacity would overwrite the rest anyway), so resuming a long run reads no more
    /// than the buffer holds.
    public mutating func newTransitions(limit: Int? = nil) throws -> [Transition] {
        let episodes = try store.episodeSummaries(run: run, after: lastEpisodeID)
        guard let newest = episodes.last?.id else { return [] }
        var loaded: [[Transition]] = []
        var total = 0
        for episode in episodes.reversed() {
            if let limit, total >= limit { break }
            guard episode.status?.isTrainable == true else { continue }
            let transitions = try store.transitions(episode: episode.id)
            total += transitions.count
            loaded.append(transitions)
        }
        lastEpisodeID = newest
        return loaded.reversed().flatMap { $0 }
    }

    /// Appends the transitions committed since the last pull to `buffer`; returns how many.
    @discardableResult
    public mutating func refresh(into buffer: inout ReplayBuffer) throws -> Int {
        let transitions = try newTransitions(limit: buffer.capacity)
        buffer.append(contentsOf: transitions)
        return transitions.count
    }
}
