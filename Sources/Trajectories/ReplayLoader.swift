import Foundation

extension Transition {
    /// The transitions of one stored episode, one per turn: context = the exact token ids the
    /// policy saw, utterance = the generated ids, next context = the next turn's context (shared
    /// storage, not a copy), done on the last turn (also for truncated episodes: there is no
    /// stored next state to bootstrap from).
    public static func transitions(of episode: EpisodeRecordData) -> [Transition] {
        let turns = episode.turns
        return turns.indices.map { i in
            let last = i == turns.count - 1
            return Transition(
                context: turns[i].contextTokens, utterance: turns[i].generatedTokens, reward: Float(turns[i].reward),
                nextContext: last ? [] : turns[i + 1].contextTokens, done: last,
                episodeID: episode.id == 0 ? nil : episode.id)
        }
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
        let ids = try store.episodeIDs(run: run, after: lastEpisodeID)
        guard let newest = ids.last else { return [] }
        var episodes: [[Transition]] = []
        var total = 0
        for id in ids.reversed() {
            if let limit, total >= limit { break }
            let episode = try store.episode(id: id)
            guard episode.status.isTrainable else { continue }
            let transitions = Transition.transitions(of: episode)
            total += transitions.count
            episodes.append(transitions)
        }
        lastEpisodeID = newest
        return episodes.reversed().flatMap { $0 }
    }

    /// Appends the transitions committed since the last pull to `buffer`; returns how many.
    @discardableResult
    public mutating func refresh(into buffer: inout ReplayBuffer) throws -> Int {
        let transitions = try newTransitions(limit: buffer.capacity)
        buffer.append(contentsOf: transitions)
        return transitions.count
    }
}
