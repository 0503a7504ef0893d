import EnvironmentKit
import Foundation
import Testing
@testable import Trajectories

/// The issue's acceptance check: long-ledger's expert under a 1,024-token budget (the history is
/// ~5,800 byte tokens) with each compaction mode. `none` runs out of budget, `truncate` loses the
/// early facts, `summary` keeps them because the expert's summary carries them. Recall tasks
/// only: on tally tasks the expert is flawed by design (see Environments/long-ledger/README.md).
@Suite(.serialized) struct LongLedgerCompactionTests {
    static let recallEpisodes = 4

    static var python: String {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["TURNRL_PYTHON"], !explicit.isEmpty { return explicit }
        return EnvironmentRuntime.dataDirectory().appendingPathComponent("sandbox-venv/bin/python3").path
    }

    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Environments/long-ledger")
    }

    struct Outcome {
        var success: Bool
        var stop: ContextStopReason?
        var episode: EpisodeRecordData
    }

    /// Plays one episode with the expert as the policy and the builder as the context manager.
    static func play(_ package: EnvironmentPackage, seed: UInt64, mode: ContextSettings.Compaction) async throws -> Outcome? {
        let expert = try #require(package.expert)
        let env = package.makeEnvironment()
        do {
            let outcome = try await play(env, expert: expert, package: package, seed: seed, mode: mode)
            await env.close()
            return outcome
        } catch {
            await env.close()
            throw error
        }
    }

    static func play(
        _ env: any Environment, expert: any ExpertPolicy, package: EnvironmentPackage, seed: UInt64,
        mode: ContextSettings.Compaction
    ) async throws -> Outcome? {
        _ = try await env.reset(seed: seed, options: ResetOptions(split: .test))
        guard await env.currentTask?.kind == "recall" else { return nil }
        var settings = package.spec.context
        settings.compaction = mode
        let played = try await BudgetedExpert.play(
            env, expert: expert, configuration: ContextBuilderConfiguration(settings: settings, perTurnMaxNewTokens: 192),
            seed: seed, options: ResetOptions(split: .test), maxTurns: 200)
        for turn in played.turns {
            #expect(turn.contextTokens.count + turn.generatedTokens.count <= settings.budgetTokens)
        }
        #expect(played.stop != nil || played.status == .terminated, "episode did not end in 200 turns")
        return Outcome(success: played.success, stop: played.stop, episode: episode(played.task, seed, played.episodeReturn, played.status, played.turns))
    }

    static func episode(_ task: TaskRecord, _ seed: UInt64, _ total: Double, _ status: EpisodeStatus, _ turns: [TurnRecord]) -> EpisodeRecordData {
        EpisodeRecordData(environment: "long-ledger", taskID: task.id, split: "test", seed: seed, episodeReturn: total, status: status, turns: turns)
    }

    @Test func compactionModesOnLongLedger() async throws {
        var runtime = try EnvironmentRuntime.located(python: Self.python)
        runtime.sandbox.workers = 1
        let package = try await EnvironmentPackage.load(folder: Self.folder, runtime: runtime)
        let store = try TrajectoryStore(path: try temporaryDatabasePath(), durability: .normal)
        let run = try store.beginRun(name: "long-ledger-modes", configJSON: "{}", seed: 0, codeVersion: "test")
        var rates: [ContextSettings.Compaction: Double] = [:]
        for mode in [ContextSettings.Compaction.none, .truncate, .summary] {
            var outcomes: [Outcome] = []
            var seed: UInt64 = 0
            while outcomes.count < Self.recallEpisodes, seed < 60 {
                if let outcome = try await Self.play(package, seed: seed, mode: mode) { outcomes.append(outcome) }
                seed += 1
            }
            #expect(outcomes.count == Self.recallEpisodes)
            for outcome in outcomes {
                let id = try store.appendEpisode(outcome.episode, run: run.id)
                let back = try store.episode(id: id)
                #expect(back.turns.filter(\.isSummary).count == outcome.episode.turns.filter(\.isSummary).count)
                #expect(back.turns.map(\.contextTokens) == outcome.episode.turns.map(\.contextTokens))
            }
            let rate = Double(outcomes.filter(\.success).count) / Double(outcomes.count)
            rates[mode] = rate
            let summaries = outcomes.map { $0.episode.turns.filter(\.isSummary).count }
            print("long-ledger recall, budget 1024, mode \(mode.rawValue): success \(rate) over \(outcomes.count) episodes; stops \(outcomes.map { $0.stop?.rawValue ?? "-" }); summary turns \(summaries)")
            switch mode {
            case .none: #expect(outcomes.allSatisfy { $0.stop == .budgetExhausted })
            case .truncate: #expect(outcomes.allSatisfy { $0.stop == nil })
            case .summary: #expect(summaries.allSatisfy { $0 > 0 })
            }
        }
        let tally = [ContextSettings.Compaction.none, .truncate, .summary].map { mode in
            "\(mode.rawValue) \(Int((rates[mode] ?? 0) * Double(Self.recallEpisodes)))/\(Self.recallEpisodes)"
        }
        print("long-ledger compaction success rates (expert, budget 1024): \(tally.joined(separator: ", "))")
        #expect(rates[.none] == 0)
        #expect(rates[.truncate] == 0)
        #expect(rates[.summary] == 1)
        await package.shutdown()
    }
}
