import Foundation

/// The Python peers of `turnrl bench traj`, run with the same rows / sizes in the same run.
enum TrajBenchPeer {
    /// `sqlite SRC DST SYNCHRONOUS`: copies the schema of SRC into a fresh DST (WAL, the given
    /// synchronous level), loads SRC's episode and turn rows into memory, then times inserting
    /// them one transaction per episode with `executemany` for the turns — the same rows and
    /// commit granularity as the Swift store, minus its encoding work.
    /// `sample N CONTEXT BATCH SAMPLES`: a NumPy replay buffer of N transitions with CONTEXT-token
    /// contexts; times drawing BATCH uniform indices and gathering them as a list of references
    /// and as a copied [BATCH, CONTEXT] array (what a NumPy replay buffer hands a learner).
    static let script = #"""
    import json, os, sqlite3, sys, time

    def sqlite_peer(src, dst, synchronous):
        source = sqlite3.connect(src)
        schema = [row[0] for row in source.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")]
        episode_columns = [r[1] for r in source.execute("PRAGMA table_info(episodes)") if r[1] != "id"]
        turn_columns = [r[1] for r in source.execute("PRAGMA table_info(turns)")]
        episodes = source.execute("SELECT id, " + ", ".join(episode_columns) + " FROM episodes ORDER BY id").fetchall()
        turns = {}
        for row in source.execute("SELECT " + ", ".join(turn_columns) + " FROM turns ORDER BY episode_id, idx"):
            turns.setdefault(row[0], []).append(row)
        runs = source.execute("SELECT * FROM runs").fetchall()
        source.close()
        for path in (dst, dst + "-wal", dst + "-shm"):
            if os.path.exists(path): os.remove(path)
        db = sqlite3.connect(dst, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=" + synchronous)
        for statement in schema: db.execute(statement)
        db.executemany("INSERT INTO runs VALUES (" + ",".join("?" * len(runs[0])) + ")", runs)
        insert_episode = "INSERT INTO episodes (" + ", ".join(episode_columns) + ") VALUES (" + ",".join("?" * len(episode_columns)) + ")"
        insert_turn = "INSERT INTO turns (" + ", ".join(turn_columns) + ") VALUES (" + ",".join("?" * len(turn_columns)) + ")"
        count = 0
        start = time.perf_counter()
        for episode in episodes:
            db.execute("BEGIN")
            new_id = db.execute(insert_episode, episode[1:]).lastrowid
            rows = [(new_id,) + row[1:] for row in turns[episode[0]]]
            db.executemany(insert_turn, rows)
            db.execute("COMMIT")
            count += len(rows)
        seconds = time.perf_counter() - start
        db.close()
        print(json.dumps({"turns": count, "seconds": seconds, "turnsPerSecond": count / seconds,
                          "version": "Python %d.%d sqlite3 (SQLite %s)" % (sys.version_info[0], sys.version_info[1], sqlite3.sqlite_version)}))

    def sample_peer(n, context, batch, samples):
        import numpy as np
        rng = np.random.default_rng(0)
        contexts = rng.integers(0, 50257, size=(n, context), dtype=np.int32)
        utterances = rng.integers(0, 50257, size=(n, 32), dtype=np.int32)
        rewards = rng.random(n, dtype=np.float32)
        dones = rng.random(n) < 0.25
        listed = [(contexts[i], utterances[i], rewards[i], contexts[(i + 1) % n], dones[i]) for i in range(n)]
        def timed(body):
            for _ in range(10): body()
            out = []
            for _ in range(samples):
                start = time.perf_counter()
                body()
                out.append((time.perf_counter() - start) * 1e3)
            out.sort()
            return {"p50Ms": out[len(out) // 2], "p99Ms": out[min(len(out) - 1, int(0.99 * len(out)))], "meanMs": sum(out) / len(out)}
        def references():
            return [listed[i] for i in rng.integers(0, n, batch)]
        def gathered():
            idx = rng.integers(0, n, batch)
            return contexts[idx], utterances[idx], rewards[idx], contexts[(idx + 1) % n], dones[idx]
        print(json.dumps({"listOfReferences": timed(references), "gatherArrays": timed(gathered),
                          "version": "NumPy " + np.__version__}))

    if sys.argv[1] == "sqlite":
        sqlite_peer(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sample_peer(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    """#

    /// What the sqlite peer prints.
    struct SQLiteResult: Codable {
        var turns: Int
        var seconds: Double
        var turnsPerSecond: Double
        var version: String
    }

    /// One timing of the sampling peer.
    struct SampleTiming: Codable {
        var p50Ms: Double
        var p99Ms: Double
        var meanMs: Double
    }

    /// What the sampling peer prints.
    struct SampleResult: Codable {
        var listOfReferences: SampleTiming
        var gatherArrays: SampleTiming
        var version: String
    }

    /// Runs the script with `arguments`; the decoded result or why the peer was skipped.
    static func run<T: Decodable>(_ python: String, _ arguments: [String], as type: T.Type) -> Result<T, PeerSkipped> {
        do {
            let output = try Shell.run(python, ["-c", script] + arguments)
            guard output.status == 0 else {
                return .failure(PeerSkipped(reason: "\(python) failed: \(output.stderr.trimmed.split(separator: "\n").last ?? "no output")"))
            }
            return .success(try JSONDecoder().decode(T.self, from: Data(output.stdout.utf8)))
        } catch {
            return .failure(PeerSkipped(reason: "cannot run \(python): \(error)"))
        }
    }

    struct PeerSkipped: Error, Codable { var reason: String }
}
