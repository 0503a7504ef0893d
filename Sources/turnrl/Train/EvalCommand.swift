import ArgumentParser
import EnvironmentKit
import Foundation
import Learners

/// `turnrl eval`: success and return of a checkpoint with 95 % bootstrap intervals.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a trained checkpoint on an environment, with 95 % bootstrap confidence intervals.",
        discussion: """
            Plays --episodes episodes of the split (seeds 0..N-1, so every evaluation of a split sees \
            the same tasks) with greedy decoding and with sampling at temperature 1, and reports success \
            rate and mean return with percentile-bootstrap intervals, mean turns and tool calls, and \
            success per task kind. Infrastructure failures are counted separately, never scored.

            Example: turnrl eval --env arith-python --checkpoint runs/arith-python-archer-s0/checkpoints/final
            """)

    @Option(help: "Environment name or folder.")
    var env: String

    @Option(help: "A checkpoint folder written by `turnrl train` (config.json + model.safetensors).")
    var checkpoint: String

    @Option(help: "Split: train or test.")
    var split: String = "test"

    @Option(help: "Episodes per decoding mode.")
    var episodes: Int = 100

    @Option(help: "Seed of the sampled evaluation (and of the bootstrap).")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @OptionGroup var options: EnvironmentOptions

    func validate() throws {
        guard Split(rawValue: split) != nil else { throw ValidationError("--split must be train or test") }
        guard episodes > 0 else { throw ValidationError("--episodes must be positive") }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: checkpoint)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
            throw ValidationError("\(checkpoint) is not a checkpoint folder (no model.safetensors); use e.g. runs/NAME/checkpoints/final")
        }
        let policy = try GPT2Policy.load(folder: url)
        let provider = try await options.load(env)
        var results: [EvaluationSummary] = []
        do {
            for greedy in [true, false] {
                if !json { FileHandle.standardError.write(Data("Evaluating \(greedy ? "greedy" : "sampled") on \(episodes) \(split) episodes…\n".utf8)) }
                results.append(try await Evaluator.evaluate(
                    policy: policy, provider: provider, split: Split(rawValue: split)!, episodes: episodes, greedy: greedy, seed: seed).summary)
            }
        } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let object = Dictionary(uniqueKeysWithValues: results.map { ($0.mode, $0) })
            print(String(decoding: try encoder.encode(object), as: UTF8.self))
            return
        }
        printTable(["decoding", "success (95% CI)", "return (95% CI)", "turns", "tool calls", "infra errors"], results.map { e in
            [e.mode, String(format: "%.1f%% [%.1f, %.1f]", 100 * e.successRate.mean, 100 * e.successRate.low, 100 * e.successRate.high),
             String(format: "%.3f [%.3f, %.3f]", e.meanReturn.mean, e.meanReturn.low, e.meanReturn.high),
             String(format: "%.2f", e.meanTurns), String(format: "%.2f", e.meanToolCalls), "\(e.infraErrors)"]
        })
        for e in results where e.successByKind.count > 1 {
            print("\(e.mode) success by kind: " + e.successByKind.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f%%", $0.key, 100 * $0.value) }.joined(separator: ", "))
        }
    }
}
