import GRDB

/// The database schema as GRDB migrations. A migration, once released, is never edited: later
/// changes are new migrations, so every older trajectory database still opens.
enum TrajectorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, episodes, turns, metrics") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    config_json TEXT NOT NULL,
                    seed INTEGER NOT NULL,          -- UInt64 stored by bit pattern
                    code_version TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE episodes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    environment TEXT NOT NULL,
                    task_id TEXT NOT NULL,
                    split TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    return REAL NOT NULL,
                    length INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    infra_error TEXT,
                    summary_count INTEGER NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX episodes_run ON episodes(run_id, id);
                -- context_prefix_len > 0: this turn's context starts with the first
                -- context_prefix_len tokens of the PREVIOUS turn's (context ++ generated);
                -- context_suffix holds the rest. A context that extends the last one costs
                -- only its new tokens.
                CREATE TABLE turns (
                    episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
                    idx INTEGER NOT NULL,
                    context_prefix_len INTEGER NOT NULL,
                    context_suffix BLOB NOT NULL,   -- little-endian Int32
                    generated BLOB NOT NULL,        -- little-endian Int32
                    logprobs BLOB NOT NULL,         -- little-endian Float32, one per generated token
                    reward REAL NOT NULL,
                    tool_calls TEXT NOT NULL,       -- JSON array of ToolCallRecord
                    is_summary INTEGER NOT NULL,
                    messages_before TEXT NOT NULL,  -- JSON array of ChatMessage
                    utterance TEXT NOT NULL,
                    PRIMARY KEY (episode_id, idx)
                ) WITHOUT ROWID;
                CREATE TABLE metrics (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    value REAL NOT NULL
                );
                CREATE INDEX metrics_run ON metrics(run_id, name, step);
                """)
        }
        migrator.registerMigration("v2: turns as a rowid table") { db in
            // v1 stored turns WITHOUT ROWID: that is an index b-tree, whose cells hold at most
            // ~1,000 bytes on a 4 KiB page, so a first turn with a few hundred context tokens
            // spilled to an overflow page and over half of every page stayed empty (1.6 KB per
            // 256-token turn instead of 0.7 KB). A rowid table keeps cells up to ~4 KB local;
            // (episode_id, idx) stays unique through the primary key's index.
            try db.execute(sql: """
                CREATE TABLE turns_v2 (
                    episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
                    idx INTEGER NOT NULL,
                    context_prefix_len INTEGER NOT NULL,
                    context_suffix BLOB NOT NULL,
                    generated BLOB NOT NULL,
                    logprobs BLOB NOT NULL,
                    reward REAL NOT NULL,
                    tool_calls TEXT NOT NULL,
                    is_summary INTEGER NOT NULL,
                    messages_before TEXT NOT NULL,
                    utterance TEXT NOT NULL,
                    PRIMARY KEY (episode_id, idx)
                );
                INSERT INTO turns_v2 SELECT episode_id, idx, context_prefix_len, context_suffix, generated, logprobs,
                    reward, tool_calls, is_summary, messages_before, utterance FROM turns ORDER BY episode_id, idx;
                DROP TABLE turns;
                ALTER TABLE turns_v2 RENAME TO turns;
                """)
        }
        return migrator
    }
}
