import EnvironmentKit

/// Few-shot prompting from the environment's own expert: a worked example is a successful expert
/// episode on a train task, shown to the policy as real chat turns (the task, the expert's tool
/// calls, the tool results, the answer) between the system prompt and the episode's task.
///
/// The examples are played through the environment, so their observations are exactly what the
/// environment answers; they come from the train split, so a test task never appears in its own
/// prompt. An instruction-tuned model that never emits a well-formed tool call from the system
/// prompt alone often does after one such example (issue #10's starting point).
public enum WorkedExamples {
    /// The messages of the first `count` successful expert episodes on train tasks, trying seeds
    /// 0, 1, 2, … up to `maxAttempts` (deterministic). Throws when the environment has no expert
    /// or fewer than `count` of the attempts succeed.
    public static func fromExpert(_ provider: any EnvironmentProvider, count: Int, maxAttempts: Int = 200) async throws -> [ChatMessage] {
        guard count > 0 else { return [] }
        guard let expert = provider.expert else {
            throw EnvironmentError.unavailable(
                what: "an expert (expert.py)", environment: provider.spec.name, fix: "Worked examples are expert episodes; set fewShot to 0.")
        }
        // The whole episode, never cut: a worked example is shown in full or not at all.
        var settings = provider.spec.context
        settings.budgetTokens = 1 << 20
        settings.compaction = .none
        settings.examples = []
        let configuration = ContextBuilderConfiguration(settings: settings, perTurnMaxNewTokens: 1 << 16)
        var examples: [ChatMessage] = []
        var found = 0
        var next: UInt64 = 0
        while found < count && next < UInt64(maxAttempts) {
            let seeds = Array(next..<min(next + 8, UInt64(maxAttempts)))
            next += UInt64(seeds.count)
            let outcomes = try await BudgetedExpert.playMany(
                provider, expert: expert, configuration: configuration, seeds: seeds, options: ResetOptions(split: .train))
            for outcome in outcomes where found < count && outcome.success && !outcome.turns.contains(where: \.isSummary) {
                examples += messages(of: outcome)
                found += 1
            }
        }
        guard found == count else {
            throw EnvironmentError.unavailable(
                what: "\(count) successful expert episodes (\(found) of the first \(maxAttempts) train seeds succeeded)",
                environment: provider.spec.name, fix: "Ask for fewer worked examples.")
        }
        return examples
    }

    /// `provider` with `examples` in its spec's context settings, so every context built for it
    /// (rollouts, evaluation, demonstrations, the first-action probe) shows them.
    public static func provider(_ provider: any EnvironmentProvider, examples: [ChatMessage]) -> any EnvironmentProvider {
        provider.withContext { $0.examples = examples }
    }

    /// `provider` showing `count` worked examples from its expert (`fromExpert`); unchanged for 0.
    public static func provider(_ provider: any EnvironmentProvider, count: Int) async throws -> any EnvironmentProvider {
        guard count > 0 else { return provider }
        return Self.provider(provider, examples: try await fromExpert(provider, count: count))
    }

    /// An episode as the chat turns a policy would have seen and written, without the system prompt.
    static func messages(of outcome: BudgetedExpert.Outcome) -> [ChatMessage] {
        outcome.turns.flatMap { turn in
            turn.messagesBefore.filter { $0.role != .system } + [ChatMessage(role: .assistant, content: turn.utterance)]
        }
    }
}
