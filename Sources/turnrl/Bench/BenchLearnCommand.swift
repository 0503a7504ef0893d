import ArgumentParser
import EnvironmentKit
import Foundation
import Learners
import RunReport
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
            from metrics.csv). When PyTorch is installed, Benchmarks/pytorch_peer.py then trains the same GPT-2 \
            (HF transformers) on batches of BC's shape, every sequence at the BC runs' mean length, with 1 and \
            --peer-threads threads (the faster counts: on a busy machine PyTorch's spinning threads make 2 slower than 1), \
            for the BC throughput ratio. Runs take minutes each: the default (3 seeds × 5 algorithms × 1 \
            environment) is about an hour on 2 cores. --set applies to every run (e.g. --set bc.steps=900; \
            --set policy=smollm2-135m trains LoRA adapters on SmolLM2, without the PyTorch peer).
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

    @OptionGroup var peerOptions: PyTorchPeerOptions

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

    /// BC's training throughput next to PyTorch's on the same model and batch shape.
    struct PeerRow: Encodable {
        var environment: String
        var batch: Int
        var sequenceTokens: Int
        var turnrlTokensPerSecond: Double
        var peerTokensPerSecond: Double?
        var ratio: Double?
        var note: String
    }

    func validate() throws {
        let known = Set(["expert"] + Algorithm.allCases.map(\.rawValue))
        for algo in algos.split(separator: ",") where !known.contains(String(algo)) {
            throw ValidationError("unknown algorithm '\(algo)'; known: \(known.sorted().joined(separator: ", "))")
        }
        guard seeds > 0, episodes >= 0, evalEpisodes > 0 else { throw ValidationError("--seeds and --eval-episodes must be positive") }
        // Before hours of runs, not when the last algorithm starts.
        var config = try resolvedConfig()
        for algo in algos.split(separator: ",").compactMap({ Algorithm(rawValue: String($0)) }) {
            config.algo = algo
            do { try TrainingRun.checkSupported(config) } catch { throw ValidationError("\(error); drop \(algo.rawValue) from --algos") }
        }
    }

    func run() async throws {
        var rows: [Row] = []
        var peers: [PeerRow] = []
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
                if !peerOptions.noPeer, let peer = try peerRow(env: env, bc: results[.bc] ?? []) { peers.append(peer) }
            } catch {
                await provider.shutdown()
                throw error
            }
            await provider.shutdown()
        }
        if json {
            try printJSON(Report(rows: rows, peer: peers))
            return
        }
        func pct(_ e: Estimate?) -> String { e.map { String(format: "%.1f%% [%.1f, %.1f]", 100 * $0.mean, 100 * $0.low, 100 * $0.high) } ?? "-" }
        printTable(["environment", "algorithm", "seeds", "greedy success", "sampled success", "min/run", "trained tok/s"], rows.map {
            [$0.environment, $0.algorithm, "\($0.seeds)", pct($0.greedySuccess), pct($0.sampledSuccess),
             String(format: "%.1f", $0.minutesPerRun), $0.trainedTokensPerSecond.map { String(format: "%.0f", $0) } ?? "-"]
        })
        print("Test split, \(evalEpisodes) episodes per seed; budget \(episodes) RL episodes per run after a shared BC warm start; runs in \(out). Timings are of a shared machine unless it was idle.")
        for peer in peers {
            let theirs = peer.peerTokensPerSecond.map { String(format: "%.0f", $0) } ?? "-"
            let ratio = peer.ratio.map { String(format: "%.2f×", $0) } ?? "-"
            print("\(peer.environment) · BC trained tokens/s, batch \(peer.batch) × \(peer.sequenceTokens) tokens: TurnRL \(String(format: "%.0f", peer.turnrlTokensPerSecond)), PyTorch \(theirs), ratio \(ratio) (\(peer.note))")
        }
    }

    struct Report: Encodable {
        var rows: [Row]
        var peer: [PeerRow]
    }

    /// The PyTorch peer at the BC runs' shape, or nil when there is no BC run with figures or
    /// the policy is not the byte-level GPT-2 (`bench llama` compares the LLM's speed). The
    /// peer's sequences all have the mean length while TurnRL's batches are padded to their
    /// longest, so the ratio leans in PyTorch's favour.
    func peerRow(env: String, bc: [RunResult]) throws -> PeerRow? {
        let rates = bc.compactMap(\.tokensPerSecond)
        let lengths = bc.compactMap(\.sequenceTokens)
        let config = try resolvedConfig()
        // The peer script builds the byte-level GPT-2 only.
        guard !rates.isEmpty, !lengths.isEmpty, config.policy == PolicyFactory.byteGPT2 else { return nil }
        let length = Int((lengths.reduce(0, +) / Double(lengths.count)).rounded())
        let model = config.model
        var best: (rate: Double, note: String)?
        var failure = ""
        for threads in Set([1, peerOptions.peerThreads]).sorted() {
            let (figures, note) = PolicyBenchmark.runPeer(script: peerOptions.peerScript, arguments: [
                "--train-only", "--steps", "20", "--threads", "\(threads)", "--layers", "\(model.layers)", "--d-model", "\(model.dModel)",
                "--heads", "\(model.heads)", "--vocab", "\(model.gpt2.vocabSize)", "--context", "\(model.contextLength)",
                "--batch", "\(config.bc.batchSize)", "--seq-len", "\(length)",
            ])
            guard let rate = figures?["train_tokens_per_s"] else { failure = note; continue }
            if rate > best?.rate ?? 0 { best = (rate, note) }
        }
        let ours = rates.reduce(0, +) / Double(rates.count)
        let theirs = best?.rate
        let note = best?.note ?? failure
        return PeerRow(environment: env, batch: config.bc.batchSize, sequenceTokens: length, turnrlTokensPerSecond: ours,
                       peerTokensPerSecond: theirs, ratio: theirs.map { ours / $0 }, note: note)
    }

    /// The expert on the test seeds every evaluation uses, under the context the trained
    /// policies get: their budget (`model.contextLength`), compaction and reply cap, as --set
    /// gives them.
    func expertRow(env: String, provider: any EnvironmentProvider) async throws -> Row {
        let config = try resolvedConfig()
        var rng = SeededRNG(seed: 0)
        // Only its chat template and context length are used, to render turns within the budget
        // in the trained policy's own tokens.
        let policy = try PolicyFactory.fresh(config, resolveBase: ModelCatalog.baseResolver, rng: &rng)
        let provider = config.compaction.applied(to: provider)
        let start = Date()
        let played = try await ExpertDemonstrations.collect(
            provider: provider, policy: policy, seeds: (0..<UInt64(evalEpisodes)).map { $0 }, split: .test,
            perTurnMaxNewTokens: config.perTurnMaxNewTokens)
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
        /// Mean tokens per cloned sequence (BC runs only).
        var sequenceTokens: Double?
        var checkpoint: String
    }

    /// TrainingConfig's defaults with every --set applied.
    func resolvedConfig() throws -> TrainingConfig {
        var merged = try TrainConfigLoader.dictionary(TrainingConfig())
        for assignment in overrides {
            try TrainConfigLoader.merge(TrainConfigLoader.assignment(assignment), into: &merged, source: "--set \(assignment)")
        }
        return try TrainConfigLoader.decode(merged)
    }

    /// One `turnrl train` run (the BC run when `warmStart` is nil, else RL from that checkpoint).
    func train(env: String, algo: Algorithm, seed: Int, provider: any EnvironmentProvider, warmStart: String?) async throws -> RunResult {
        if !json { FileHandle.standardError.write(Data("\(env) · \(algo.rawValue) · seed \(seed)…\n".utf8)) }
        var config = try resolvedConfig()
        config.env = env; config.algo = algo; config.seed = UInt64(seed); config.warmStartCheckpoint = warmStart ?? ""
        config.episodes = episodes; config.evalEpisodes = evalEpisodes; config.evalBefore = false
        let folder = URL(fileURLWithPath: out).appendingPathComponent(URL(fileURLWithPath: env).lastPathComponent).appendingPathComponent("\(algo.rawValue)-s\(seed)")
        try? FileManager.default.removeItem(at: folder)
        let start = Date()
        let run = try TrainingRun(config: config, provider: provider, folder: folder, resume: false, configJSON: try TrainConfigLoader.json(config),
                                  resolveBase: ModelCatalog.baseResolver)
        try TrainConfigLoader.yaml(config).write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let summary = try await run.run()
        let metrics = try? MetricsTable(contentsOf: folder.appendingPathComponent("metrics.csv"))
        var result = RunResult(
            minutes: Date().timeIntervalSince(start) / 60, tokensPerSecond: metrics.flatMap(Self.meanTokensPerSecond),
            sequenceTokens: algo == .bc ? metrics.flatMap { Self.mean(of: "sequenceTokens", phases: ["bc"], in: $0) } : nil,
            checkpoint: summary.checkpoint)
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
    static func meanTokensPerSecond(_ metrics: MetricsTable) -> Double? {
        mean(of: "tokensPerSecond", phases: ["rl", "warmup"], in: metrics) ?? mean(of: "tokensPerSecond", phases: ["bc"], in: metrics)
    }

    /// Mean of a metrics column over the rows of `phases`; nil without such values.
    static func mean(of name: String, phases: Set<String>, in metrics: MetricsTable) -> Double? {
        let values = zip(metrics.phases, metrics.values(name)).compactMap { phase, value in
            phase.map(phases.contains) == true ? value : nil
        }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
