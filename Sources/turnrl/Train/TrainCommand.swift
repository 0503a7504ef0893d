import ArgumentParser
import EnvironmentKit
import Foundation
import Learners

/// `turnrl train`: train a policy on an environment and write a run folder.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a policy on an environment (BC, filtered BC, ArCHer, turn-level GRPO, PPO).",
        discussion: """
            A run evaluates the fresh policy on the test split (greedy and sampled, with 95 % bootstrap \
            intervals), clones the environment's expert (the BC warm start; logs the probability of the \
            right first action per task kind and warns when RL would get no signal), runs the algorithm \
            for --episodes environment episodes or --minutes, checkpoints, and evaluates again.

            Every hyperparameter has a default (see docs/ARCHITECTURE.md, Learners); a YAML file given \
            with --config overrides them (nested like the stored config.yaml, e.g. `archer:` then \
            `actorLearningRate: 3e-5`), and flags override the file: --seed, --episodes, --minutes, and \
            --set KEY=VALUE for any other (e.g. --set bc.steps=300 --set evalEpisodes=50).

            The run folder (--out, default runs/ENV-ALGO-sSEED) gets run.sqlite (every episode token-exact, \
            and the metrics), metrics.csv, config.yaml (resolved), checkpoints/step-N and checkpoints/final, \
            state.json and summary.json. --resume continues a killed run from its last checkpoint (weights, \
            optimizer state, critics; the replay buffer rebuilt from run.sqlite) with the same random \
            stream: it ends exactly as the run would have without the kill.

            Examples:
              turnrl train --env arith-python --algo bc
              turnrl train --env arith-python --algo archer --episodes 512 --out runs/archer-arith
              turnrl train --env arith-python --algo archer --minutes 10 --set archer.actorLearningRate=1e-5
              turnrl train --env arith-python --algo grpo --policy smollm2-135m --set lora.rank=8
            """)

    @Option(help: "Environment name or folder (overrides the config file's env).")
    var env: String?

    @Option(help: "Algorithm: bc, filtered-bc, archer, grpo or ppo.")
    var algo: String?

    @Option(help: "Policy: byte-gpt2 (from scratch, the default), smollm2-135m or a .gguf path (LoRA on the frozen model; `turnrl model fetch smollm2-135m` first). LoRA settings: --set lora.rank=… lora.alpha=… ")
    var policy: String?

    @Option(help: "YAML file of hyperparameters.")
    var config: String?

    @Option(help: "Seed of the model initialisation, rollouts and minibatches.")
    var seed: UInt64?

    @Option(help: "Environment episodes for the RL / filtered-BC phase (demonstrations not counted).")
    var episodes: Int?

    @Option(help: "Wall-clock cap on the RL phase, minutes.")
    var minutes: Double?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one hyperparameter: KEY=VALUE (dotted keys for nested ones).", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: "Run folder (default runs/ENV-ALGO-sSEED).")
    var out: String?

    @Flag(help: "Continue the run in --out from its last checkpoint.")
    var resume = false

    @Flag(help: "Print only one JSON object (the run summary) on stdout.")
    var json = false

    @OptionGroup var options: EnvironmentOptions

    func validate() throws {
        if let algo, Algorithm(rawValue: algo) == nil {
            throw ValidationError("--algo must be one of \(Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let episodes, episodes < 0 { throw ValidationError("--episodes must be 0 or more") }
        if let minutes, minutes <= 0 { throw ValidationError("--minutes must be positive") }
        if resume && out == nil { throw ValidationError("--resume needs --out RUN_FOLDER") }
        if let policy, policy != PolicyFactory.byteGPT2, !ModelCatalog.isModel(policy), !FileManager.default.fileExists(atPath: policy) {
            throw ValidationError("--policy must be byte-gpt2, \(ModelCatalog.names) or the path of a .gguf file; got '\(policy)'")
        }
    }

    /// Defaults (or the resumed run's config.yaml), then --config, then flags.
    func resolvedConfig() throws -> TrainingConfig {
        var merged = try TrainConfigLoader.dictionary(TrainingConfig())
        if resume, let out {
            let stored = URL(fileURLWithPath: out).appendingPathComponent("config.yaml").path
            if FileManager.default.fileExists(atPath: stored) {
                try TrainConfigLoader.merge(TrainConfigLoader.yamlMapping(path: stored), into: &merged, source: stored)
            }
        }
        if let config { try TrainConfigLoader.merge(TrainConfigLoader.yamlMapping(path: config), into: &merged, source: config) }
        var flags: [String: Any] = [:]
        if let env { flags["env"] = env }
        if let algo { flags["algo"] = algo }
        if let policy { flags["policy"] = policy }
        if let seed { flags["seed"] = seed }
        if let episodes { flags["episodes"] = episodes }
        if let minutes { flags["minutes"] = minutes }
        try TrainConfigLoader.merge(flags, into: &merged, source: "the command line")
        for assignment in overrides {
            try TrainConfigLoader.merge(TrainConfigLoader.assignment(assignment), into: &merged, source: "--set \(assignment)")
        }
        return try TrainConfigLoader.decode(merged)
    }

    func run() async throws {
        let config: TrainingConfig
        do { config = try resolvedConfig() } catch let failure as TrainConfigLoader.Failure {
            throw ValidationError(failure.description)
        }
        let folder = URL(fileURLWithPath: out ?? "runs/\(URL(fileURLWithPath: config.env).lastPathComponent)-\(config.algo.rawValue)-s\(config.seed)")
        let line = TrainProgressLine()
        let provider = try await options.load(config.env)
        do {
            let run = try TrainingRun(
                config: config, provider: provider, folder: folder, resume: resume, configJSON: try TrainConfigLoader.json(config),
                resolveBase: ModelCatalog.baseResolver, note: { line.note($0) }, progress: { line.update($0) })
            try TrainConfigLoader.yaml(config).write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            line.note("Run folder: \(folder.path) (\(config.algo.rawValue) on \(config.env), seed \(config.seed))")
            let summary = try await run.run()
            line.clear()
            await provider.shutdown()
            if json {
                try printJSON(summary)
            } else {
                printSummary(summary)
            }
        } catch let error as TrainingError {
            line.clear()
            await provider.shutdown()
            throw ValidationError(error.description)
        } catch {
            line.clear()
            await provider.shutdown()
            throw error
        }
    }

    func printSummary(_ summary: RunSummary) {
        func row(_ name: String, _ e: EvaluationSummary?) -> [String] {
            guard let e else { return [name, "-", "-", "-", "-"] }
            return [name, String(format: "%.1f%% [%.1f, %.1f]", 100 * e.successRate.mean, 100 * e.successRate.low, 100 * e.successRate.high),
                    String(format: "%.3f [%.3f, %.3f]", e.meanReturn.mean, e.meanReturn.low, e.meanReturn.high),
                    String(format: "%.2f", e.meanTurns), String(format: "%.2f", e.meanToolCalls)]
        }
        if summary.before != nil || summary.after != nil {
            print("Test split, \(summary.after?["greedy"]?.episodes ?? summary.before?["greedy"]?.episodes ?? 0) episodes (95 % bootstrap CIs):")
            printTable(["policy", "success", "return", "turns", "tool calls"], [
                row("before, greedy", summary.before?["greedy"]), row("before, sampled", summary.before?["sampled"]),
                row("after, greedy", summary.after?["greedy"]), row("after, sampled", summary.after?["sampled"]),
            ])
        }
        print("Episodes: \(summary.episodes) · final checkpoint: \(summary.checkpoint)")
        print("Run folder: \(summary.run)")
    }
}
