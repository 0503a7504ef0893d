import Foundation
import RunReport
import Testing

@testable import turnrl

/// `turnrl train` end to end on arith-python with a tiny model and budget: the run folder has the
/// contract's files, `--json` prints the summary, and `--resume` continues from the checkpoint.
@Suite(.serialized) struct TrainCommandTests {
    static var arithPython: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Environments/arith-python").path
    }

    static let tiny = [
        "--set", "model.layers=1", "--set", "model.dModel=32", "--set", "model.heads=2", "--set", "model.contextLength=512",
        "--set", "bc.demonstrations=4", "--set", "bc.steps=2", "--set", "evalEpisodes=2", "--set", "probeSamples=1",
        "--set", "archer.episodesPerIteration=4", "--set", "archer.warmupIterations=0", "--set", "archer.criticDModel=16",
        "--set", "archer.criticLayers=1", "--set", "archer.criticHeads=2", "--set", "archer.criticHeadHiddenSize=8",
        "--set", "archer.batchSize=2", "--set", "rolloutBatch=4", "--set", "perTurnMaxNewTokens=16", "--set", "checkpointEvery=1",
    ]

    struct Summary: Decodable {
        struct Final: Decodable { var successRate: Double; var meanReturn: Double }
        var run: String
        var episodes: Int
        var final: Final
        var checkpoint: String
    }

    /// A warm start that cannot be read fails before the run folder is written, so the same
    /// --out works once the path is fixed (it used to hold a run that --resume could not open).
    @Test func unreadableWarmStartLeavesNoRunFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let failed = try Shell.run(turnrlBinary().path, ["train", "--env", Self.arithPython, "--algo", "archer", "--episodes", "4",
                                                          "--set", "warmStartCheckpoint=/nonexistent/checkpoint", "--out", folder.path] + Self.tiny)
        #expect(failed.status != 0 && failed.stderr.contains("/nonexistent/checkpoint"), "stderr: \(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run.sqlite").path))
        let fixed = try Shell.run(turnrlBinary().path, ["train", "--env", Self.arithPython, "--algo", "bc", "--out", folder.path] + Self.tiny)
        #expect(fixed.status == 0, "stderr: \(fixed.stderr)")
    }

    @Test func archerRunWritesTheRunFolderAndResumes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Shell.run(turnrlBinary().path, ["train", "--env", Self.arithPython, "--algo", "archer", "--episodes", "4",
                                                         "--out", folder.path, "--json"] + Self.tiny)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(first.stdout.utf8))
        #expect(summary.episodes == 8)  // 4 demonstrations + 4 RL episodes
        for file in ["run.sqlite", "metrics.csv", "config.yaml", "state.json", "summary.json",
                     "checkpoints/final/model.safetensors", "checkpoints/final/config.json", "checkpoints/final/tokenizer.yaml",
                     "checkpoints/step-2/critic.safetensors", "checkpoints/step-2/target_critic.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "missing \(file)")
        }
        let csv = try String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("episodes,step,phase,successRate,"))
        #expect(csv.contains(",rl,") && csv.contains(",eval,") && csv.contains(",bc,"))
        // Every RL row says where its wall time went.
        let table = try MetricsTable(csv: csv, source: "metrics.csv")
        for column in ["rolloutSeconds", "criticSeconds", "actorSeconds"] {
            let timings = zip(table.phases, table.values(column)).filter { $0.0 == "rl" }.map(\.1)
            #expect(!timings.isEmpty && timings.allSatisfy { ($0 ?? 0) > 0 }, "\(column): \(timings)")
        }

        let resumed = try Shell.run(turnrlBinary().path, ["train", "--out", folder.path, "--resume", "--episodes", "8", "--json"])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(try JSONDecoder().decode(Summary.self, from: Data(resumed.stdout.utf8)).episodes == 12)

        let again = try Shell.run(turnrlBinary().path, ["train", "--env", Self.arithPython, "--out", folder.path] + Self.tiny)
        #expect(again.status != 0 && again.stderr.contains("--resume"))

        // The checkpoint evaluates under another compaction mode, its episodes stored for `traj show`.
        let saved = folder.appendingPathComponent("eval.sqlite").path
        let evaluated = try Shell.run(turnrlBinary().path, [
            "eval", "--env", Self.arithPython, "--checkpoint", folder.appendingPathComponent("checkpoints/final").path,
            "--episodes", "2", "--compaction", "truncate", "--save-episodes", saved, "--json"])
        #expect(evaluated.status == 0, "stderr: \(evaluated.stderr)")
        struct Listing: Decodable { struct Run: Decodable { var name: String }; var run: Run; var totalEpisodes: Int }
        for (runID, mode) in [(1, "greedy"), (2, "sampled")] {
            let shown = try Shell.run(turnrlBinary().path, ["traj", "show", saved, "--run-id", "\(runID)", "--json"])
            let listing = try JSONDecoder().decode(Listing.self, from: Data(shown.stdout.utf8))
            #expect(listing.totalEpisodes == 2 && listing.run.name.hasSuffix("test \(mode)"), "\(shown.stdout)")
        }
        // --max-new-tokens caps every reply the evaluation generates (the default, 96, lets this
        // policy write longer ones, as the first evaluation shows).
        let capped = folder.appendingPathComponent("capped.sqlite").path
        let short = try Shell.run(turnrlBinary().path, [
            "eval", "--env", Self.arithPython, "--checkpoint", folder.appendingPathComponent("checkpoints/final").path,
            "--episodes", "2", "--max-new-tokens", "3", "--save-episodes", capped, "--json"])
        #expect(short.status == 0, "stderr: \(short.stderr)")
        func generatedPerTurn(_ file: String) throws -> [Int] {
            let shown = try Shell.run(turnrlBinary().path, ["traj", "show", file, "--run-id", "1", "--episode", "1"]).stdout
            return shown.matches(of: /generated (\d+) tokens/).compactMap { Int($0.1) }
        }
        let cappedTurns = try generatedPerTurn(capped), defaultTurns = try generatedPerTurn(saved)
        #expect(!cappedTurns.isEmpty && cappedTurns.allSatisfy { $0 <= 3 }, "\(cappedTurns)")
        #expect(defaultTurns.contains { $0 > 3 }, "\(defaultTurns)")
        let badMode = try Shell.run(turnrlBinary().path, ["eval", "--env", Self.arithPython, "--checkpoint", saved, "--compaction", "sometimes"])
        #expect(badMode.status != 0 && badMode.stderr.contains("--compaction must be"), "stderr: \(badMode.stderr)")
    }
}
