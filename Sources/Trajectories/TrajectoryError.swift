import Foundation

/// Errors of the trajectory layer: each says what failed, where, and what to do about it.
public enum TrajectoryError: Error, CustomStringConvertible {
    /// The SQLite database could not be opened, migrated or written.
    case database(path: String, operation: String, underlying: String)
    /// A stored row does not decode (corrupt BLOB length, unknown status, bad JSON).
    case corruptRow(table: String, id: Int64, reason: String)
    /// A run or episode id that is not in the database.
    case notFound(what: String, id: Int64)
    /// An episode handed to the store is inconsistent (e.g. log-probs not one per generated token).
    case invalidEpisode(reason: String)
    /// A JSONL line could not be read back.
    case badJSONL(line: Int, reason: String)

    public var description: String {
        switch self {
        case let .database(path, operation, underlying):
            return "trajectory store \(path): \(operation) failed: \(underlying). "
                + "Check that the directory is writable and the file is a TurnRL trajectory database."
        case let .corruptRow(table, id, reason):
            return "trajectory store: row \(id) of table \(table) is corrupt (\(reason)). "
                + "Run `PRAGMA integrity_check` on the file; re-create the run if it fails."
        case let .notFound(what, id):
            return "trajectory store: no \(what) with id \(id). List the runs/episodes to find a valid id."
        case let .invalidEpisode(reason):
            return "trajectory store: refusing to store the episode: \(reason). Fix the rollout code that built it."
        case let .badJSONL(line, reason):
            return "JSONL import: line \(line): \(reason). The file must be a `traj export --format jsonl` output."
        }
    }
}
