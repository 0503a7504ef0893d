import EnvironmentKit
import Foundation
import GRDB
import SearchIndex
import Testing
@testable import Trajectories

/// A fresh database path in a private temporary directory.
func temporaryDatabasePath(_ name: String = "traj.sqlite") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("traj-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

@Suite struct StoreTests {
    @Test func tokenBlobsRoundTripBitExact() {
        let tokens: [Int32] = [0, 1, -1, .max, .min, 50_256]
        #expect(TokenBlob.decodeTokens(TokenBlob.encode(tokens: tokens)) == tokens)
        let floats: [Float] = [0, -0.0, -1e-30, -123.456, .infinity, -.infinity, .leastNonzeroMagnitude]
        let back = TokenBlob.decodeFloats(TokenBlob.encode(floats: floats))!
        #expect(back.map(\.bitPattern) == floats.map(\.bitPattern))
        // Little-endian on disk whatever the host: 1 is 01 00 00 00.
        #expect(Array(TokenBlob.encode(tokens: [1])) == [1, 0, 0, 0])
        #expect(TokenBlob.decodeTokens(Data([1, 2, 3])) == nil)
    }

    @Test func episodesRoundTripTokenExact() throws {
        let store = try TrajectoryStore(path: try temporaryDatabasePath())
        let run = try store.beginRun(name: "rt", configJSON: #"{"lr":0.001}"#, seed: .max, codeVersion: "abc123")
        var rng = SplitMix64(seed: 7)
        var written: [EpisodeRecordData] = []
        for n in 1...6 {
            var episode = SyntheticEpisodes.episode(turns: n, promptTokens: 200, using: &rng)
            if n == 4 {
                // A compacted context: shares only the prompt with the previous turn.
                episode.turns[2].contextTokens = Array(episode.turns[0].contextTokens.prefix(200)) + [9, 9, 9]
                episode.turns[2].isSummary = true
            }
            if n == 5 {
                // A context that shares nothing with the previous turn.
                episode.turns[1].contextTokens = [42]
            }
            episode.id = try store.appendEpisode(episode, run: run.id)
            written.append(episode)
        }
        #expect(try store.runs() == [run])
        #expect(try store.run(id: run.id).seed == .max)
        #expect(try store.episodeIDs(run: run.id) == written.map(\.id))
        for episode in written {
            let back = try store.episode(id: episode.id)
            #expect(back == episode)
            for (a, b) in zip(back.turns, episode.turns) {
                #expect(a.logProbs.map(\.bitPattern) == b.logProbs.map(\.bitPattern))
            }
        }
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func prefixSharingStoresOnlyNewTokens() throws {
        let path = try temporaryDatabasePath()
        let store = try TrajectoryStore(path: path)
        let run = try store.beginRun(name: "p", configJSON: "{}", seed: 1, codeVersion: "t")
        var rng = SplitMix64(seed: 1)
        // Turn contexts of 256, 256+32+16, ... tokens; only turn 0 stores its whole context.
        let episode = SyntheticEpisodes.episode(turns: 5, promptTokens: 256, using: &rng)
        let id = try store.appendEpisode(episode, run: run.id)
        let storedContextBytes = try storedSuffixBytes(path: path, episode: id)
        #expect(storedContextBytes == (256 + 4 * 16) * 4)
        let full = episode.turns.map(\.contextTokens.count).reduce(0, +) * 4
        #expect(storedContextBytes * 3 < full)
        #expect(try store.episode(id: id).turns.map(\.contextTokens) == episode.turns.map(\.contextTokens))
    }

    @Test func aVersion1DatabaseMigratesWithItsEpisodes() throws {
        let path = try temporaryDatabasePath()
        var rng = SplitMix64(seed: 8)
        let episode = SyntheticEpisodes.episode(turns: 3, promptTokens: 300, using: &rng)
        // Write with the v1 schema only, as a database from before migration v2.
        let old = try DatabaseQueue(path: path)
        try TrajectorySchema.migrator.migrate(old, upTo: "v1: runs, episodes, turns, metrics")
        try old.close()
        do {
            let v1 = try TrajectoryStoreV1Writer(path: path)
            try v1.write(episode)
        }
        func turnsSQL() throws -> String? {
            try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'turns'") }
        }
        #expect(try turnsSQL()?.contains("WITHOUT ROWID") == true)
        let store = try TrajectoryStore(path: path)
        let ids = try store.episodeIDs(run: 1)
        #expect(ids.count == 1)
        var back = try store.episode(id: ids[0])
        back.id = 0
        #expect(back == episode)
        #expect(try turnsSQL()?.contains("WITHOUT ROWID") == false)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func durabilitySetsTheWritersSynchronousLevel() throws {
        #expect(try TrajectoryStore(path: try temporaryDatabasePath(), durability: .full).writerSynchronousLevel() == 2)
        #expect(try TrajectoryStore(path: try temporaryDatabasePath(), durability: .normal).writerSynchronousLevel() == 1)
    }

    @Test func statusAndInfraErrorAreKept() throws {
        let store = try TrajectoryStore(path: try temporaryDatabasePath())
        let run = try store.beginRun(name: "s", configJSON: "{}", seed: 0, codeVersion: "t")
        var rng = SplitMix64(seed: 3)
        for status in EpisodeStatus.allCases {
            var episode = SyntheticEpisodes.episode(turns: 2, using: &rng)
            episode.status = status
            episode.infraError = status == .infraError ? "verifier crashed: ZeroDivisionError at verify.py:12" : nil
            let back = try store.episode(id: try store.appendEpisode(episode, run: run.id))
            #expect(back.status == status)
            #expect(back.infraError == episode.infraError)
        }
    }

    @Test func metricsAndErrors() throws {
        let store = try TrajectoryStore(path: try temporaryDatabasePath())
        let run = try store.beginRun(name: "m", configJSON: "{}", seed: 0, codeVersion: "t")
        let metrics = [MetricRecord(step: 1, name: "loss", value: 2.5), MetricRecord(step: 0, name: "loss", value: 3)]
        try store.recordMetrics(metrics, run: run.id)
        #expect(try store.metrics(run: run.id) == metrics.reversed())
        #expect(throws: TrajectoryError.self) { try store.episode(id: 999) }
        // log-probs must be one per generated token.
        var rng = SplitMix64(seed: 4)
        var bad = SyntheticEpisodes.episode(turns: 1, using: &rng)
        bad.turns[0].logProbs.removeLast()
        #expect(throws: TrajectoryError.self) { try store.appendEpisode(bad, run: run.id) }
        #expect(try store.episodeIDs(run: run.id).isEmpty)
    }
}

/// Sum of stored context-suffix bytes of one episode, read with SQLite directly.
func storedSuffixBytes(path: String, episode: Int64) throws -> Int {
    try DatabaseQueue(path: path).read { db in
        try Int.fetchOne(db, sql: "SELECT SUM(LENGTH(context_suffix)) FROM turns WHERE episode_id = ?", arguments: [episode]) ?? 0
    }
}

/// Writes an episode into a database migrated only to v1, with the v1 store's encoding.
struct TrajectoryStoreV1Writer {
    let queue: DatabaseQueue

    init(path: String) throws { queue = try DatabaseQueue(path: path) }

    func write(_ episode: EpisodeRecordData) throws {
        let encoded = try episode.turns.enumerated().map { index, turn in
            try EncodedTurn(turn, index: index, previous: index > 0 ? episode.turns[index - 1] : nil)
        }
        try queue.write { db in
            try db.execute(sql: "INSERT INTO runs (name, config_json, seed, code_version, created_at) VALUES ('v1', '{}', 0, 'v1', 0)")
            try db.execute(
                sql: """
                    INSERT INTO episodes (run_id, environment, task_id, split, seed, return, length, status, infra_error,
                                          summary_count, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0)
                    """,
                arguments: [episode.environment, episode.taskID, episode.split, Int64(bitPattern: episode.seed),
                            episode.episodeReturn, episode.length, episode.status.rawValue])
            for turn in encoded {
                try db.execute(
                    sql: "INSERT INTO turns VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [turn.index, turn.prefixLength, turn.suffix, turn.generated, turn.logProbs, turn.reward,
                                turn.toolCalls, turn.isSummary, turn.messagesBefore, turn.utterance])
            }
        }
    }
}
