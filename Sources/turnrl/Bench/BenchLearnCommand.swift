import ArgumentParser
import EnvironmentKit
import Foundation
import Learners
import TensorCore

/// `turnrl bench learn`: issue #8's evidence table — expert, BC, filtered BC, BC + ArCHer,
/// BC + turn-GRPO, BC + PPO at an equal budget of environment episodes, several seeds, test split.
struct BenchLearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Compare expert, BC, filtered BC, ArCHer, GRPO and PPO per environment (test split, seeds, 95 % CIs).",
        discussion: """
            For each environment and seed, BC is one `turnrl train --algo bc` run, and every other \
            algorithm is a `turnrl train` run starting from that BC run's final checkpoint (the \
            shared warm start; same defaults, same --episodes budget of RL-phase episodes) in \
            OUT/ENV/ALGO-sSEED; the expert row is the environment's expert on the same test seeds. The \
            table shows greedy and sampled test success pooled over seeds with 95 % bootstrap intervals, \
            minutes per run (RL rows: after the warm start) and trained tokens/s (forward + backward tokens per second of update time, \
            from metrics.csv). Runs take minutes each: the default (3 seeds × 5 algorithms × 1 \
            environment) is about an hour on 2 cores. --set applies to every run (e.g. --set bc.steps=900).
            """)

    @Option(help: "Environments (comma-separated names).")
    var envs = "arith-python"

    @Option(help: "Algorithms (comma-separated): expert, bc, filtered-bc, archer, grpo, ppo.")
    var algos = "expert,bc,filtered-bc,archer,grpo,ppo"

    @Option(help: "Seeds per algorithm (0..N-1).")
    var seeds = 3

    @Option(help: "RL-phase environment episodes per run (the equal budget).")
    var episodes = 256

    @Option(help: "Test episodes per evaluation.")
    var evalEpisodes = 100

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a hyperparameter of every run: KEY=VALUE.", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: "Folder for the runs.")
    var out = "runs/bench-learn"

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var options: EnvironmentOptions

    struct Row: Encodable {
        var environment: String
        var algorithm: String
        var seeds: Int
        var greedySuccess: Estimate
        var sampledSuccess: Estimate?
        var minutesPerRun: Double
        var trainedTokensPerSecond: Double?
    }

    func validate() throws {
        let known = Set(["expert"] + Algorithm.allCases.map(\.rawValue))
        for algo in algos.split(separator: ",") where !known.contains(String(algo)) {
            throw ValidationError("unknown algorithm '\(algo)'; known: \(known.sorted().joined(separator: ", "))")
        }
        guard seeds > 0, episodes >= 0, evalEpisodes > 0 else { throw ValidationError("--seeds and --eval-episodes must be positive") }
    }

    func run() async throws {
        var rows: [Row] = []
        let names = algos.split(separator: ",").map(String.init)
        let trained = names.compactMap(Algorithm.init(rawValue:))
        for env in envs.split(separator: ",").map(String.init) {
            let provider = try await options.load(env)
            do {
                if names.contains("expert") {
                    if !json { FileHandle.standardError.write(Data("\(env) · expert…\n".utf8)) }
                    rows.append(try await expertRow(env: env, provider: provider))
                }
                var results: [Algorithm: [RunResult]] = [:]
                for seed in 0..<seeds where !trained.isEmpty {
                    // Every algorithm of a seed starts from the same BC run (its warm start is
                    // deterministic in the seed), so BC is trained once per seed.
                    let bc = try await train(env: env, algo: .bc, seed: seed, provider: provider, warmStart: nil)
                    results[.bc, default: []].append(bc)
                    for algo in trained where algo != .bc {
                        results[algo, default: []].append(try await train(env: env, algo: algo, seed: seed, provider: provider, warmStart: bc.checkpoint))
                    }
                }
                for algo in trained { rows.append(row(env: env, algo: algo, results: results[algo] ?? [])) }
            } catch {
                await provider.shutdown()
                throw error
            }
            await provider.shutdown()
        }
        if json {
            try printJSON(["rows": rows])
            return
        }
        func pct(_ e: Estimate?) -> String { e.map { String(format: "%.1f%% [%.1f, %.1f]", 100 * $0.mean, 100 * $0.low, 100 * $0.high) } ?? "-" }
        printTable(["environment", "algorithm", "seeds", "greedy success", "sampled success", "min/run", "trained tok/s"], rows.map {
            [$0.environment, $0.algorithm, "\($0.seeds)", pct($0.greedySuccess), pct($0.sampledSuccess),
             String(format: "%.1f", $0.minutesPerRun), $0.trainedTokensPerSecond.map { String(format: "%.0f", $0) } ?? "-"]
        })
        print("Test split, \(evalEpisodes) episodes per seed; budget \(episodes) RL episodes per run after a shared BC warm start; runs in \(out). Timings are of a shared machine unless it was idle.")
    }

    /// The expert on the test seeds every evaluation uses.
    func expertRow(env: String, provider: any EnvironmentProvider) async throws -> Row {
        var rng = SeededRNG(seed: 0)
        let policy = try GPT2Policy(rng: &rng)  // only its chat template is used, to render turns
        let start = Date()
        let played = try await ExpertDemonstrations.collect(provider: provider, policy: policy, seeds: (0..<UInt64(evalEpisodes)).map { $0 }, split: .test)
        let summary = EvaluationSummary(mode: "expert", episodes: played)
        return Row(environment: env, algorithm: "expert", seeds: 1, greedySuccess: summary.successRate, sampledSuccess: nil,
                   minutesPerRun: Date().timeIntervalSince(start) / 60, trainedTokensPerSecond: nil)
    }

    /// One finished training run's figures.
    struct RunResult {
        var greedy: [Double] = []
        var sampled: [Double] = []
        var minutes: Double
        var tokensPerSecond: Double?
        var checkpoint: String
    }

    /// One `turnrl train` run (the BC run when `warmStart` is nil, else RL from that checkpoint).
    func train(env: String, algo: Algorithm, seed: Int, provider: any EnvironmentProvider, warmStart: String?) async throws -> RunResult {
        if !json { FileHandle.standardError.write(Data("\(env) · \(algo.rawValue) · seed \(seed)…\n".utf8)) }
        var merged = try TrainConfigLoader.dictionary(TrainingConfig())
        for assignment in overrides {
            try TrainConfigLoader.merge(TrainConfigLoader.assignment(assignment), into: &merged, source: "--set \(assignment)")
        }
        var config = try TrainConfigLoader.decode(merged)
        config.env = env; config.algo = algo; config.seed = UInt64(seed); config.warmStartCheckpoint = warmStart ?? ""
        config.episodes = episodes; config.evalEpisodes = evalEpisodes; config.evalBefore = false
        let folder = URL(fileURLWithPath: out).appendingPathComponent(URL(fileURLWithPath: env).lastPathComponent).appendingPathComponent("\(algo.rawValue)-s\(seed)")
        try? FileManager.default.removeItem(at: folder)
        let start = Date()
        let run = try TrainingRun(config: config, provider: provider, folder: folder, resume: false, configJSON: try TrainConfigLoader.json(config))
        try TrainConfigLoader.yaml(config).write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let summary = try await run.run()
        var result = RunResult(
            minutes: Date().timeIntervalSince(start) / 60,
            tokensPerSecond: Self.meanTokensPerSecond(folder.appendingPathComponent("metrics.csv")), checkpoint: summary.checkpoint)
        for mode in ["greedy", "sampled"] {
            guard let e = summary.after?[mode] else { continue }
            let successes = Int((e.successRate.mean * Double(e.episodes)).rounded())
            let values = [Double](repeating: 1, count: successes) + [Double](repeating: 0, count: e.episodes - successes)
            if mode == "greedy" { result.greedy = values } else { result.sampled = values }
        }
        return result
    }

    /// An algorithm's runs over the seeds, pooled.
    func row(env: String, algo: Algorithm, results: [RunResult]) -> Row {
        let rates = results.compactMap(\.tokensPerSecond)
        return Row(environment: env, algorithm: algo == .bc ? "bc" : "bc+\(algo.rawValue)", seeds: results.count,
                   greedySuccess: Bootstrap.meanInterval(results.flatMap(\.greedy)),
                   sampledSuccess: Bootstrap.meanInterval(results.flatMap(\.sampled)),
                   minutesPerRun: results.map(\.minutes).reduce(0, +) / Double(max(1, results.count)),
                   trainedTokensPerSecond: rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count))
    }

    /// Mean of the `tokensPerSecond` column of the RL rows (BC rows when there are none).
    static func meanTokensPerSecond(_ url: URL) -> Double? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let column = header.firstIndex(of: "tokensPerSecond"), let phase = header.firstIndex(of: "phase") else { return nil }
        func mean(_ phases: Set<String>) -> Double? {
            let values = lines.dropFirst().filter { phases.contains($0[phase]) }.compactMap { Double($0[column]) }
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        return mean(["rl", "warmup"]) ?? mean(["bc"])
    }
}
