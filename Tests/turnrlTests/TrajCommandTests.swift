import EnvironmentKit
import Foundation
import SearchIndex
import Testing
import Trajectories

@testable import turnrl

/// `turnrl traj show/export` against a run folder written here: two synthetic episodes, the
/// second with a summary turn and a masked status.
@Suite final class TrajCommandTests {
    let folder: URL
    let episodes: [EpisodeRecordData]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("traj-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try TrajectoryStore(path: folder.appendingPathComponent("run.sqlite").path, durability: .normal)
        let run = try store.beginRun(name: "cli-test", configJSON: #"{"env":"synthetic"}"#, seed: 3, codeVersion: "test")
        var rng = SplitMix64(seed: 11)
        var first = SyntheticEpisodes.episode(turns: 3, using: &rng)
        var second = SyntheticEpisodes.episode(turns: 4, using: &rng)
        second.turns[1].isSummary = true
        second.turns[1].utterance = "Summary: the value is 41"
        second.turns[2].contextTokens = Array(second.turns[0].contextTokens.prefix(64)) + second.turns[1].generatedTokens
        second.status = .masked
        first.id = try store.appendEpisode(first, run: run.id)
        second.id = try store.appendEpisode(second, run: run.id)
        episodes = [first, second]
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func turnrl(_ arguments: String...) throws -> Shell.Output {
        try Shell.run(turnrlBinary().path, arguments)
    }

    @Test func showListsEpisodesOfARunFolder() throws {
        let output = try turnrl("traj", "show", folder.path)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("run 1 cli-test · seed 3 · code test"))
        #expect(output.stdout.contains("2 episodes (masked 1, terminated 1) · 7 turns"))
        let rows = output.stdout.split(separator: "\n").filter { $0.contains(" train-") }
        #expect(rows.count == 2)
        #expect(rows.last?.hasPrefix("\(episodes[1].id) ") == true && rows.last?.contains("masked") == true)
        #expect(rows.last?.contains(episodes[1].taskID) == true)
    }

    @Test func showEpisodeTurnByTurn() throws {
        let output = try turnrl("traj", "show", folder.appendingPathComponent("run.sqlite").path, "--episode", "\(episodes[1].id)")
        #expect(output.status == 0, "\(output.stderr)")
        let text = output.stdout
        #expect(text.contains("4 turns · 1 summaries · 2 segments · masked from updates: summary_cap_exceeded"))
        #expect(text.contains("turn 0 · context 64 tokens (+64) · generated 32 tokens"))
        #expect(text.contains("turn 1 [SUMMARY] · context 112 tokens (+16)"))
        #expect(text.contains("turn 2 · context 96 tokens (compacted from 144)"))
        #expect(text.contains("── segment 2 (context rebuilt from the summary at turn 1) ──"))
        #expect(text.contains("assistant (summary): Summary: the value is 41"))
        #expect(text.contains(#"tool python {"code":"print(0)"}"#))
        #expect(text.contains("  result: 0"))
        #expect(text.contains("reward -0.050"))
    }

    @Test func exportWritesOneLosslessLinePerEpisode() throws {
        let out = folder.appendingPathComponent("export.jsonl")
        let written = try turnrl("traj", "export", folder.path, "--format", "jsonl", "--out", out.path)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stderr.contains("wrote 2 episodes"))
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        for (line, episode) in zip(lines, episodes) {
            var back = try JSONLExport.episode(fromLine: String(line))
            back.id = episode.id
            #expect(back == episode)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["messages"] is [[String: String]] && object["reward"] is Double)
        }
        // Standard output carries the same lines.
        let stdout = try turnrl("traj", "export", folder.path)
        #expect(stdout.stdout.split(separator: "\n") == lines)
    }

    @Test func badRunPathsFailWithAHint() throws {
        let missing = try turnrl("traj", "show", folder.appendingPathComponent("nope").path)
        #expect(missing.status != 0 && missing.stderr.contains("pass a run folder holding run.sqlite"))
        let foreign = folder.appendingPathComponent("other.sqlite")
        try Data("not a database at all, just text".utf8).write(to: foreign)
        let refused = try turnrl("traj", "show", foreign.path)
        #expect(refused.status != 0 && refused.stderr.contains("other.sqlite"))
        let wrongEpisode = try turnrl("traj", "show", folder.path, "--episode", "999")
        #expect(wrongEpisode.status != 0 && wrongEpisode.stderr.contains("episode 999 is not in run 1"))
    }
}
