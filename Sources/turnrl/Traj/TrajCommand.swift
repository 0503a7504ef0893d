import ArgumentParser
import Foundation
import Trajectories

/// `turnrl traj`: look at and export the trajectories a run stored.
struct TrajCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traj",
        abstract: "Show and export stored trajectories (token-exact, with summaries and tool calls).",
        discussion: """
            Every `turnrl train` run keeps its episodes in runs/NAME/run.sqlite. RUN is that folder, \
            the .sqlite file itself, or just NAME when runs/NAME exists in the current directory.
            Examples:
              turnrl traj show runs/archer-ledger                 list the episodes
              turnrl traj show runs/archer-ledger --episode 12    one episode turn by turn
              turnrl traj export runs/archer-ledger --out ledger.jsonl
            """,
        subcommands: [TrajShowCommand.self, TrajExportCommand.self])
}

/// Which database and which run in it a `traj` command reads.
struct TrajRunOptions: ParsableArguments {
    @Argument(help: "Run folder holding run.sqlite (e.g. runs/NAME), a .sqlite file, or NAME for runs/NAME.")
    var run: String

    @Option(name: .customLong("run-id"), help: "Run id inside the database (default: its last run).")
    var runID: Int64?

    /// The database path RUN names.
    static func databasePath(for run: String, fileManager: FileManager = .default) throws -> String {
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: run, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return run }
            let inside = URL(fileURLWithPath: run).appendingPathComponent("run.sqlite").path
            guard fileManager.fileExists(atPath: inside) else {
                throw ValidationError("\(run) is a folder without run.sqlite; pass a run folder written by `turnrl train` or a .sqlite file")
            }
            return inside
        }
        let named = URL(fileURLWithPath: "runs").appendingPathComponent(run).appendingPathComponent("run.sqlite").path
        if !run.contains("/"), fileManager.fileExists(atPath: named) { return named }
        throw ValidationError("no run at \(run): pass a run folder holding run.sqlite (runs/NAME), a .sqlite file, or NAME of runs/NAME")
    }

    /// Opens the database (refusing files that are not trajectory stores) and picks the run.
    func open() throws -> (store: TrajectoryStore, run: RunRecord) {
        let store = try TrajectoryStore(path: try Self.databasePath(for: run), durability: .normal, mustExist: true)
        if let runID { return (store, try store.run(id: runID)) }
        let runs = try store.runs()
        guard let last = runs.last else { throw ValidationError("\(store.path) holds no runs yet") }
        if runs.count > 1 {
            let ids = runs.map { String($0.id) }.joined(separator: ", ")
            FileHandle.standardError.write(Data("note: \(store.path) holds runs \(ids); using the last (\(last.id)); pick one with --run-id\n".utf8))
        }
        return (store, last)
    }
}
