import ArgumentParser
import EnvironmentKit
import Foundation
import Learners
import PolicyModels
import Trajectories

/// `turnrl eval`: success and return of a policy with 95 % bootstrap intervals.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a policy (checkpoint, GGUF model or OpenAI-compatible endpoint) with 95 % bootstrap confidence intervals.",
        discussion: """
            Plays --episodes episodes of the split (seeds 0..N-1, so every evaluation of a split sees \
            the same tasks) with greedy decoding and with sampling at temperature 1, and reports success \
            rate and mean return with percentile-bootstrap intervals, mean turns and tool calls, \
            generated tokens per second, and success per task kind. Infrastructure failures (a crashed \
            tool, an endpoint that timed out or answered 500 after its retries) are counted separately, \
            never scored.

            --policy is checkpoint:PATH (a `turnrl train` checkpoint folder, GPT-2 or LoRA adapter), \
            smollm2-135m or a .gguf path (the instruct model as it is; `turnrl model fetch smollm2-135m` \
            first), or openai:URL[#MODEL] (an OpenAI-compatible endpoint, API key from $OPENAI_API_KEY; \
            one decoding mode, the server's, reported as "endpoint").

            Examples:
              turnrl eval --env arith-python --policy checkpoint:runs/arith-python-archer-s0/checkpoints/final
              turnrl eval --env arith-python --policy smollm2-135m --episodes 50 --few-shot 1
              turnrl eval --env arith-python --policy openai:http://127.0.0.1:8080/v1#smollm2
              turnrl eval --env long-ledger --checkpoint runs/long-ledger-bc-s0/checkpoints/final --compaction truncate \\
                  --max-new-tokens 128
            """)

    @Option(help: "Environment name or folder.")
    var env: String

    @Option(help: "The policy: checkpoint:PATH, smollm2-135m, a .gguf path, or openai:URL[#MODEL].")
    var policy: String?

    @Option(help: "A checkpoint folder written by `turnrl train` (the same as --policy checkpoint:PATH).")
    var checkpoint: String?

    @Option(help: "Split: train or test.")
    var split: String = "test"

    @Option(help: "Episodes per decoding mode.")
    var episodes: Int = 100

    @Option(help: "Seed of the sampled evaluation (and of the bootstrap).")
    var seed: UInt64 = 0

    @Option(help: "Compaction of the policy's context at the environment's budget: none, truncate or summary (default: the environment's own).")
    var compaction: String?

    @Option(help: "Cap on new tokens per turn; pass the training run's perTurnMaxNewTokens if it set one.")
    var maxNewTokens: Int = TrainingConfig().perTurnMaxNewTokens

    @Option(
        name: .customLong("save-episodes"),
        help: "Also store every episode token-exact in this SQLite file, one run per decoding mode (read them with `turnrl traj show FILE`). Local policies only.")
    var saveEpisodes: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @OptionGroup var fewShot: FewShotOption

    @OptionGroup var options: EnvironmentOptions

    /// The policy spec from --policy or --checkpoint.
    var policySpec: String { policy ?? checkpoint.map { LocalPolicySpec.checkpointPrefix + $0 } ?? "" }

    func validate() throws {
        guard Split(rawValue: split) != nil else { throw ValidationError("--split must be train or test") }
        guard episodes > 0 else { throw ValidationError("--episodes must be positive") }
        guard maxNewTokens > 0 else { throw ValidationError("--max-new-tokens must be positive") }
        if let compaction, ContextSettings.Compaction(rawValue: compaction) == nil {
            throw ValidationError("--compaction must be none, truncate or summary; got '\(compaction)'")
        }
        guard (policy == nil) != (checkpoint == nil) else {
            throw ValidationError("give exactly one of --policy (checkpoint:PATH, smollm2-135m, a .gguf path, openai:URL[#MODEL]) and --checkpoint PATH")
        }
        if RemotePolicyAdapter.isRemote(policySpec) {
            guard saveEpisodes == nil else { throw ValidationError("--save-episodes needs a local policy (an endpoint's token ids are not known)") }
            do { _ = try OpenAIChatConfiguration.parse(policySpec: policySpec) } catch { throw ValidationError("--policy: \(error)") }
        } else if !LocalPolicySpec.isLocal(policySpec) {
            throw ValidationError("--policy must be checkpoint:PATH, \(ModelCatalog.names), a .gguf path or openai:URL[#MODEL]; got '\(policySpec)'")
        }
    }

    func run() async throws {
        let local = RemotePolicyAdapter.isRemote(policySpec) ? nil : try LocalPolicySpec.load(policySpec)
        var provider = try await fewShot.load(env, with: options)
        if let choice = compaction.flatMap(CompactionChoice.init(rawValue:)) { provider = choice.applied(to: provider) }
        var results: [EvaluationSummary] = []
        var rates: [String: Double] = [:]
        do {
            if let local {
                // Opened before the minutes of playing, so a bad path fails at once.
                let store = try saveEpisodes.map { try TrajectoryStore(path: $0, durability: .normal) }
                for greedy in [true, false] {
                    if !json { FileHandle.standardError.write(Data("Evaluating \(greedy ? "greedy" : "sampled") on \(episodes) \(split) episodes…\n".utf8)) }
                    let clock = Date()
                    let outcome = try await Evaluator.evaluate(
                        policy: local, provider: provider, split: Split(rawValue: split)!, episodes: episodes, greedy: greedy,
                        perTurnMaxNewTokens: maxNewTokens, seed: seed)
                    results.append(outcome.summary)
                    rates[outcome.summary.mode] = Double(outcome.episodes.reduce(0) { $0 + $1.generatedTokens }) / max(1e-9, Date().timeIntervalSince(clock))
                    if let store { try save(outcome.episodes, mode: outcome.summary.mode, to: store) }
                }
            } else {
                let adapter = try RemotePolicyAdapter(policySpec: policySpec, environment: provider.spec)
                let bar = ProgressBar(label: "endpoint")
                results.append(try await RemoteEvaluation.evaluate(
                    adapter: adapter, provider: provider, split: Split(rawValue: split)!, episodes: episodes, mode: "endpoint", seed: seed,
                    progress: { if !json { bar.update(done: $0, total: episodes) } }))
                bar.finish()
            }
        } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
        if json {
            try printJSON(Dictionary(uniqueKeysWithValues: results.map { ($0.mode, $0) }))
            return
        }
        printTable(["decoding", "success (95% CI)", "return (95% CI)", "turns", "tool calls", "infra errors", "generated tok/s (wall)"], results.map { e in
            [e.mode, String(format: "%.1f%% [%.1f, %.1f]", 100 * e.successRate.mean, 100 * e.successRate.low, 100 * e.successRate.high),
             String(format: "%.3f [%.3f, %.3f]", e.meanReturn.mean, e.meanReturn.low, e.meanReturn.high),
             String(format: "%.2f", e.meanTurns), String(format: "%.2f", e.meanToolCalls), "\(e.infraErrors)",
             rates[e.mode].map { String(format: "%.1f", $0) } ?? "-"]
        })
        for e in results where e.successByKind.count > 1 {
            print("\(e.mode) success by kind: " + e.successByKind.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f%%", $0.key, 100 * $0.value) }.joined(separator: ", "))
        }
    }

    /// Appends `episodes` to `store` as a run named after the environment, split and mode.
    private func save(_ episodes: [PlayedEpisode], mode: String, to store: TrajectoryStore) throws {
        let run = try store.beginRun(name: "eval \(env) \(split) \(mode)", configJSON: "{}", seed: seed, codeVersion: "turnrl")
        for episode in episodes { _ = try store.appendEpisode(episode.record, run: run.id) }
    }
}
