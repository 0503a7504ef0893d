import Foundation
import GRDB
import SearchIndex
import Testing
@testable import Trajectories

/// `rewind` deletes what a resumed training run redoes — one run's later episodes (with their
/// turns) and later metric values — and nothing else.
@Suite struct StoreRewindTests {
    @Test func rewindDeletesOnlyTheRunsLaterWork() throws {
        let store = try TrajectoryStore(path: try temporaryDatabasePath())
        let resumed = try store.beginRun(name: "resumed", configJSON: "{}", seed: 1, codeVersion: "t")
        let other = try store.beginRun(name: "other", configJSON: "{}", seed: 2, codeVersion: "t")
        var rng = SplitMix64(seed: 3)
        var ids: [Int64] = []
        for k in 0..<4 {
            ids.append(try store.appendEpisode(SyntheticEpisodes.episode(turns: 2, promptTokens: 20, using: &rng), run: resumed.id))
            try store.appendEpisode(SyntheticEpisodes.episode(turns: 2, promptTokens: 20, using: &rng), run: other.id)
            try store.recordMetrics([MetricRecord(step: Int64(k), name: "rl/loss", value: Double(k))], run: resumed.id)
            try store.recordMetrics([MetricRecord(step: Int64(k), name: "rl/loss", value: Double(k))], run: other.id)
        }
        #expect(try store.metricCount(run: resumed.id) == 4)

        try store.rewind(run: resumed.id, afterEpisode: ids[1], keepingMetrics: 2)
        #expect(try store.episodeIDs(run: resumed.id) == Array(ids.prefix(2)))
        #expect(try store.metrics(run: resumed.id).map(\.value) == [0, 1])
        #expect(try store.episodeIDs(run: other.id).count == 4)
        #expect(try store.metrics(run: other.id).count == 4)
        let orphanTurns = try store.read("count turns") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM turns WHERE episode_id NOT IN (SELECT id FROM episodes)") ?? -1
        }
        #expect(orphanTurns == 0)
        // New episodes are numbered after the deleted ones, so "id ≤ lastEpisodeID" stays a
        // checkpoint's view.
        let next = try store.appendEpisode(SyntheticEpisodes.episode(turns: 1, promptTokens: 20, using: &rng), run: resumed.id)
        #expect(next > ids[3])
        // Without a metric mark only episodes go.
        try store.rewind(run: other.id, afterEpisode: 0, keepingMetrics: nil)
        #expect(try store.episodeIDs(run: other.id).isEmpty)
        #expect(try store.metrics(run: other.id).count == 4)
        #expect(try store.integrityCheck() == ["ok"])
    }
}
