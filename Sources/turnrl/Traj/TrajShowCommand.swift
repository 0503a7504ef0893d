import ArgumentParser
import Foundation
import Trajectories

/// `turnrl traj show RUN [--episode N]`: a run's episodes, or one episode turn by turn.
struct TrajShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List a run's episodes, or show one turn by turn.",
        discussion: """
            Without --episode: the run (config, seed, code version) and a table of its newest \
            episodes (id, environment, task, status, turns, summaries, return). With --episode ID: \
            that episode turn by turn — context size in tokens and how many are new, summary turns \
            and the SUPO segments they start, the messages each turn saw arrive, the reply, tool \
            calls with arguments, results and durations, and rewards.
            --json prints the episode as its `traj export` JSONL line (or the listing as JSON).
            """)

    @OptionGroup var target: TrajRunOptions

    @Option(help: "Episode id (from the listing) to show turn by turn.")
    var episode: Int64?

    @Option(help: "Episodes listed, newest last (0: all).")
    var limit = 50

    @Flag(help: "Show messages and tool outputs in full (default: cut at 400 characters).")
    var full = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let (store, run) = try target.open()
        if let episode {
            guard try store.episodeIDs(run: run.id).contains(episode) else {
                throw ValidationError("episode \(episode) is not in run \(run.id) (\(run.name)); see the listing without --episode")
            }
            let record = try store.episode(id: episode)
            if json {
                print(try JSONLExport.line(for: record))
            } else {
                EpisodeView(cut: full ? nil : 400).lines(record).forEach { print($0) }
            }
            return
        }
        let all = try store.episodeSummaries(run: run.id)
        let shown = limit > 0 ? Array(all.suffix(limit)) : all
        if json {
            try JSONOutput.print(RunListing(run: run, episodes: shown, totalEpisodes: all.count))
            return
        }
        print("run \(run.id) \(run.name) · seed \(run.seed) · code \(run.codeVersion) · \(Date(timeIntervalSince1970: run.createdAt))")
        print("config \(displayCut(run.configJSON, full ? .max : 200))")
        let statuses = Dictionary(grouping: all, by: { $0.status?.rawValue ?? "unknown" })
            .map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
        let meanReturn = all.isEmpty ? 0 : all.reduce(0) { $0 + $1.episodeReturn } / Double(all.count)
        let turns = all.reduce(0) { $0 + $1.length }
        print("\(all.count) episodes (\(statuses)) · \(turns) turns · mean return \(String(format: "%.3f", meanReturn))")
        guard !shown.isEmpty else { return }
        if shown.count < all.count { print("newest \(shown.count) shown; --limit 0 lists all") }
        print("")
        printTable(
            ["id", "environment", "task", "split", "status", "turns", "summaries", "return"],
            shown.map {
                [String($0.id), $0.environment, $0.taskID, $0.split, $0.status?.rawValue ?? "unknown", String($0.length),
                 String($0.summaryCount), String(format: "%.3f", $0.episodeReturn)]
            })
        print("\nturnrl traj show \(target.run) --episode \(shown.last!.id) shows one turn by turn")
    }
}

/// `traj show --json` without --episode.
struct RunListing: Encodable {
    var run: RunRecord
    var episodes: [EpisodeSummary]
    var totalEpisodes: Int
}
