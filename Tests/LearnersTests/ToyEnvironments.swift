import EnvironmentKit
import Learners
import PolicyModels
import TensorCore

/// A one-decision bandit: every task asks "?" and only the answer X is right (reward 1; Y and
/// anything else 0). The optimal policy answers `<answer>X</answer>` always. `maxTurns` 2 lets a
/// malformed first reply get a second try (two-turn episodes for the token-exactness check).
/// The expert answers X on even seeds and Y on odd ones: cloning it gives a 50 % policy that
/// only learning from reward can improve.
func banditProvider(maxTurns: Int = 1, expertAlwaysRight: Bool = false, budgetTokens: Int = 64) -> NativeEnvironment {
    let tasks = (0..<8).map { TaskRecord(id: "t\($0)", kind: "pick", prompt: "?", answer: .string("X"), fields: ["first_action": .string("answer")]) }
    let spec = EnvironmentSpec(name: "bandit", systemPrompt: "Pick.", maxTurns: maxTurns,
                               context: ContextSettings(budgetTokens: budgetTokens))
    let expert = ScriptedExpert { _, _, seed in
        "<answer>\(expertAlwaysRight || seed % 2 == 0 ? "X" : "Y")</answer>"
    }
    return NativeEnvironment(spec: spec, tasks: TaskSet(train: tasks, test: tasks), tools: [], verifier: ExactMatchVerifier(), expert: expert)
}

/// A tiny byte-level policy (1 layer, d32) so tests train in seconds.
func tinyPolicy(seed: UInt64 = 1, contextLength: Int = 64) throws -> GPT2Policy {
    var rng = SeededRNG(seed: seed)
    return try GPT2Policy(config: GPT2Config(vocabSize: 264, contextLength: contextLength, dModel: 32, layers: 1, heads: 2), rng: &rng)
}

/// Clones the bandit's expert into `policy` (`steps` BC steps on `demos` demonstrations).
func cloneBandit(_ policy: GPT2Policy, provider: NativeEnvironment, demos: Int = 16, steps: Int, learningRate: Float = 3e-3) async throws {
    let played = try await ExpertDemonstrations.collect(provider: provider, policy: policy, seeds: (0..<UInt64(demos)).map { $0 }, perTurnMaxNewTokens: 24)
    var config = BCConfig()
    config.learningRate = learningRate
    config.batchSize = 8
    let bc = BehaviourCloning(policy: policy, config: config)
    var rng = SeededRNG(seed: 7)
    try bc.train(on: played.flatMap { BehaviourCloning.sequences($0.record) }, steps: steps, rng: &rng)
}

/// Success rate of `policy` on the bandit over `episodes` episodes.
func banditSuccess(_ policy: GPT2Policy, provider: NativeEnvironment, greedy: Bool, episodes: Int = 32) async throws -> Double {
    try await Evaluator.evaluate(policy: policy, provider: provider, split: .test, episodes: episodes, greedy: greedy,
                                 batchSize: 32, perTurnMaxNewTokens: 24).summary.successRate.mean
}
