import EnvironmentKit
import Foundation

/// Random but structurally realistic episodes for tests, the crash-safety writer and benchmarks:
/// each turn's context extends the previous context with the previous generation plus an
/// observation, exactly the prefix-sharing shape a real rollout produces.
public enum SyntheticEpisodes {
    /// Makes one episode of `turns` turns whose first context has `promptTokens` tokens and each
    /// turn generates `generatedTokens` tokens and appends `observationTokens` observation tokens.
    public static func episode(
        turns: Int, promptTokens: Int = 64, generatedTokens: Int = 32, observationTokens: Int = 16,
        vocabulary: Int32 = 50_257, using rng: inout some RandomNumberGenerator
    ) -> EpisodeRecordData {
        func tokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32.random(in: 0..<vocabulary, using: &rng) } }
        var context = tokens(promptTokens)
        var records: [TurnRecord] = []
        var total = 0.0
        for index in 0..<turns {
            let generated = tokens(generatedTokens)
            let logProbs = (0..<generatedTokens).map { _ in -Float.random(in: 0..<12, using: &rng) }
            let reward = index == turns - 1 ? Double(Int.random(in: 0...1, using: &rng)) : -0.05
            total += reward
            let call = ToolCallRecord(
                call: ToolCall(name: "python", arguments: ["code": .string("print(\(index))")]),
                output: "\(index)\n", isError: false, durationMs: Double.random(in: 0..<50, using: &rng))
            let before = index == 0
                ? [ChatMessage(role: .system, content: "You are a test agent."), ChatMessage(role: .user, content: "Task \(index)")]
                : [ChatMessage(role: .tool, content: "<result name=\"python\">\(index - 1)\n</result>")]
            records.append(TurnRecord(
                contextTokens: context, generatedTokens: generated, logProbs: logProbs, reward: reward,
                toolCalls: index == turns - 1 ? [] : [call], isSummary: false, messagesBefore: before,
                utterance: index == turns - 1 ? "<answer>\(index)</answer>" : "<python>print(\(index))</python>"))
            context += generated + tokens(observationTokens)
        }
        return EpisodeRecordData(
            environment: "synthetic", taskID: "train-\(UInt64.random(in: 0..<1_000_000, using: &rng))", split: "train",
            seed: UInt64.random(in: 0...UInt64.max, using: &rng), episodeReturn: total, status: .terminated, turns: records)
    }
}
