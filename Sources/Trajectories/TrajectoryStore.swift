import EnvironmentKit
import Foundation
import GRDB

/// The token-exact trajectory database: runs, episodes, turns and metrics in one SQLite file.
///
/// WAL mode through a GRDB `DatabasePool` (one serialized writer, concurrent readers). Each
/// `appendEpisode` is one transaction: once it returns, the episode survives a SIGKILL of the
/// process (and, with `.full` durability, a power cut). Turn contexts are stored with prefix
/// sharing against the previous turn, token ids and log-probs as little-endian BLOBs.
public final class TrajectoryStore: Sendable {
    /// How hard a commit is pushed to disk.
    public enum Durability: Sendable {
        /// `synchronous=FULL`: a returned commit survives a power loss (fsync per commit).
        case full
        /// `synchronous=NORMAL`: a returned commit survives a process crash, not a power loss;
        /// faster (SQLite's WAL docs: "WAL mode is always consistent with synchronous=NORMAL").
        case normal
    }

    /// The database file path.
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating and migrating if needed) the trajectory database at `path`.
    /// With `mustExist`, the file must already be a trajectory database: a missing file or any
    /// other SQLite file is refused untouched (readers such as `turnrl traj show` pass it).
    public init(path: String, durability: Durability = .full, mustExist: Bool = false) throws {
        self.path = path
        if mustExist { try Self.checkIsTrajectoryDatabase(path) }
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        do {
            pool = try DatabasePool(path: path)
            // Set on the (single, long-lived) writer connection after the pool is open: GRDB's
            // WAL set-up runs after `prepareDatabase` and sets `synchronous = NORMAL` itself,
            // which silently overrode a FULL asked for there.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            try TrajectorySchema.migrator.migrate(pool)
        } catch {
            throw TrajectoryError.database(path: path, operation: "open and migrate", underlying: "\(error)")
        }
    }

    // MARK: Writing

    /// Records a new run and returns it with its id.
    public func beginRun(name: String, configJSON: String, seed: UInt64, codeVersion: String) throws -> RunRecord {
        let now = Date().timeIntervalSince1970
        let id = try write("begin run") { db in
            try db.execute(
                sql: "INSERT INTO runs (name, config_json, seed, code_version, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, configJSON, Int64(bitPattern: seed), codeVersion, now])
            return db.lastInsertedRowID
        }
        return RunRecord(id: id, name: name, configJSON: configJSON, seed: seed, codeVersion: codeVersion, createdAt: now)
    }

    /// Appends one episode with all its turns in one transaction and returns its id.
    /// When this returns, the episode is committed (durable per the store's `Durability`).
    @discardableResult
    public func appendEpisode(_ episode: EpisodeRecordData, run: Int64) throws -> Int64 {
        let encoder = EncodedTurn.makeEncoder()
        let encoded = try episode.turns.enumerated().map { index, turn in
            try EncodedTurn(turn, index: index, previous: index > 0 ? episode.turns[index - 1] : nil, encoder: encoder)
        }
        let now = Date().timeIntervalSince1970
        return try write("append episode") { db in
            try db.execute(
                sql: """
                    INSERT INTO episodes (run_id, environment, task_id, split, seed, return, length, status,
                                          infra_error, summary_count, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run, episode.environment, episode.taskID, episode.split, Int64(bitPattern: episode.seed),
                    episode.episodeReturn, episode.length, episode.status.rawValue, episode.infraError,
                    episode.turns.filter(\.isSummary).count, now,
                ])
            let episodeID = db.lastInsertedRowID
            let statement = try db.cachedStatement(sql: """
                INSERT INTO turns (episode_id, idx, context_prefix_len, context_suffix, generated, logprobs,
                                   reward, tool_calls, is_summary, messages_before, utterance)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for turn in encoded {
                try statement.execute(arguments: [
                    episodeID, turn.index, turn.prefixLength, turn.suffix, turn.generated, turn.logProbs,
                    turn.reward, turn.toolCalls, turn.isSummary, turn.messagesBefore, turn.utterance,
                ])
            }
            return episodeID
        }
    }

    /// Records metric values of a run in one transaction.
    public func recordMetrics(_ metrics: [MetricRecord], run: Int64) throws {
        try write("record metrics") { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)")
            for metric in metrics {
                try statement.execute(arguments: [run, metric.step, metric.name, metric.value])
            }
        }
    }

    /// How many metric values the run has recorded: a mark `rewind` can return to.
    public func metricCount(run: Int64) throws -> Int {
        try read("count metrics") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM metrics WHERE run_id = ?", arguments: [run]) ?? 0
        }
    }

    /// Deletes, in one transaction, what a run resumed from a checkpoint will redo: its episodes
    /// with id > `episode` (turns included) and, when `keepingMetrics` is given, its metric values
    /// after the first `keepingMetrics` in recording order.
    public func rewind(run: Int64, afterEpisode episode: Int64, keepingMetrics: Int?) throws {
        try write("rewind run") { db in
            try db.execute(
                sql: "DELETE FROM turns WHERE episode_id IN (SELECT id FROM episodes WHERE run_id = ? AND id > ?)",
                arguments: [run, episode])
            try db.execute(sql: "DELETE FROM episodes WHERE run_id = ? AND id > ?", arguments: [run, episode])
            if let keepingMetrics {
                try db.execute(
                    sql: "DELETE FROM metrics WHERE rowid IN (SELECT rowid FROM metrics WHERE run_id = ? ORDER BY rowid LIMIT -1 OFFSET ?)",
                    arguments: [run, keepingMetrics])
            }
        }
    }

    // MARK: Reading

    /// All runs, oldest first.
    public func runs() throws -> [RunRecord] {
        try read("list runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map(Self.run(from:))
        }
    }

    /// The run with `id`.
    public func run(id: Int64) throws -> RunRecord {
        let row = try read("read run") { db in try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) }
        guard let row else { throw TrajectoryError.notFound(what: "run", id: id) }
        return Self.run(from: row)
    }

    /// Ids of the run's episodes in commit order; only those with id > `after` when given
    /// (a reader that polls for new episodes passes the last id it has seen).
    public func episodeIDs(run: Int64, after: Int64 = 0) throws -> [Int64] {
        try read("list episodes") { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM episodes WHERE run_id = ? AND id > ? ORDER BY id", arguments: [run, after])
        }
    }

    /// One line per episode of the run, in commit order, without reading any turn (for listings).
    /// Only those with id > `after` when given.
    public func episodeSummaries(run: Int64, after: Int64 = 0) throws -> [EpisodeSummary] {
        try read("list episodes") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, environment, task_id, split, seed, return, length, status, summary_count
                    FROM episodes WHERE run_id = ? AND id > ? ORDER BY id
                    """,
                arguments: [run, after]
            ).map { row in
                EpisodeSummary(
                    id: row["id"], environment: row["environment"], taskID: row["task_id"], split: row["split"],
                    seed: UInt64(bitPattern: row["seed"]), episodeReturn: row["return"], length: row["length"],
                    status: EpisodeStatus(rawValue: row["status"]), summaryCount: row["summary_count"])
            }
        }
    }

    /// The episode with `id`, every turn reconstructed token-exact.
    public func episode(id: Int64) throws -> EpisodeRecordData {
        let rows = try read("read episode") { db -> (Row?, [Row]) in
            let episode = try Row.fetchOne(db, sql: "SELECT * FROM episodes WHERE id = ?", arguments: [id])
            let turns = try Row.fetchAll(db, sql: "SELECT * FROM turns WHERE episode_id = ? ORDER BY idx", arguments: [id])
            return (episode, turns)
        }
        guard let row = rows.0 else { throw TrajectoryError.notFound(what: "episode", id: id) }
        guard let status = EpisodeStatus(rawValue: row["status"]) else {
            throw TrajectoryError.corruptRow(table: "episodes", id: id, reason: "unknown status \(String(describing: row["status"] as String?))")
        }
        guard (row["length"] as Int) == rows.1.count else {
            throw TrajectoryError.corruptRow(table: "episodes", id: id, reason: "length \(row["length"] as Int) but \(rows.1.count) turns stored")
        }
        var turns: [TurnRecord] = []
        turns.reserveCapacity(rows.1.count)
        for turnRow in rows.1 {
            turns.append(try EncodedTurn.decode(turnRow, episodeID: id, previous: turns.last))
        }
        return EpisodeRecordData(
            id: id, environment: row["environment"], taskID: row["task_id"], split: row["split"],
            seed: UInt64(bitPattern: row["seed"]), episodeReturn: row["return"], status: status,
            infraError: row["infra_error"], turns: turns)
    }

    /// The run's metrics, ordered by name then step.
    public func metrics(run: Int64) throws -> [MetricRecord] {
        try read("read metrics") { db in
            try Row.fetchAll(db, sql: "SELECT step, name, value FROM metrics WHERE run_id = ? ORDER BY name, step, rowid", arguments: [run])
                .map { MetricRecord(step: $0["step"], name: $0["name"], value: $0["value"]) }
        }
    }

    /// Runs `PRAGMA integrity_check` and returns its rows ("ok" when the file is sound).
    public func integrityCheck() throws -> [String] {
        try read("integrity check") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Copies the WAL into the main file and truncates it (`PRAGMA wal_checkpoint(TRUNCATE)`),
    /// so `fileSize()` measures the data rather than WAL history.
    public func checkpoint() throws {
        do { try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") } } catch {
            throw TrajectoryError.database(path: path, operation: "checkpoint", underlying: "\(error)")
        }
    }

    /// The writer connection's `PRAGMA synchronous` (1 NORMAL, 2 FULL): what `Durability` set.
    func writerSynchronousLevel() throws -> Int {
        try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Bytes used by the database file (main file plus WAL), for size reports.
    public func fileSize() -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }

    // MARK: Helpers

    /// Throws unless `path` is an existing SQLite file with the store's tables; opens it read-only
    /// so a foreign database is neither migrated nor switched to WAL.
    private static func checkIsTrajectoryDatabase(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrajectoryError.database(path: path, operation: "open", underlying: "no such file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let isStore: Bool
        do {
            isStore = try DatabaseQueue(path: path, configuration: configuration).read { db in
                try db.tableExists("runs") && db.tableExists("episodes") && db.tableExists("turns")
            }
        } catch {
            throw TrajectoryError.database(path: path, operation: "open", underlying: "\(error)")
        }
        guard isStore else {
            throw TrajectoryError.database(path: path, operation: "open", underlying: "it has no runs/episodes/turns tables")
        }
    }

    private static func run(from row: Row) -> RunRecord {
        RunRecord(
            id: row["id"], name: row["name"], configJSON: row["config_json"],
            seed: UInt64(bitPattern: row["seed"]), codeVersion: row["code_version"], createdAt: row["created_at"])
    }

    private func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as TrajectoryError { throw error } catch {
            throw TrajectoryError.database(path: path, operation: operation, underlying: "\(error)")
        }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as TrajectoryError { throw error } catch {
            throw TrajectoryError.database(path: path, operation: operation, underlying: "\(error)")
        }
    }
}
