import EnvironmentKit
import PolicyModels
import TensorCore
import Trajectories

/// The probability that the policy's first utterance starts with the right action, per task
/// kind, estimated by sampling (temperature 1). Issue #8: below 1/(episodes per update) an
/// on-policy learner rarely sees the right action and gets no signal, so the run says so.
public enum FirstActionProbe {
    /// For each task kind of the train split whose tasks name a `first_action`: the fraction of
    /// `samplesPerKind` sampled first replies whose first action (tool name or "answer") matches.
    public static func probabilities(
        policy: any TurnPolicy, provider: any EnvironmentProvider, samplesPerKind: Int, perTurnMaxNewTokens: Int, rng: inout SeededRNG
    ) throws -> [String: Double] {
        let spec = provider.spec
        let configuration = RolloutWorker.builderConfiguration(spec: spec, policy: policy, perTurnMaxNewTokens: perTurnMaxNewTokens)
        var byKind: [String: [TaskRecord]] = [:]
        for task in provider.tasks.train where task.firstAction != nil {
            if byKind[task.kind, default: []].count < samplesPerKind { byKind[task.kind, default: []].append(task) }
        }
        var result: [String: Double] = [:]
        for (kind, tasks) in byKind.sorted(by: { $0.key < $1.key }) {
            var contexts: [[Int32]] = []
            for task in tasks {
                var builder = ContextBuilder(system: spec.systemPrompt, task: task.prompt, tokenizer: policy.contextTokenizer, configuration: configuration)
                if case .generate(let tokens, _, _, _) = builder.nextAction() { contexts.append(tokens) }
            }
            guard !contexts.isEmpty else { continue }
            let replies = try policy.generate(contexts: contexts, sampling: SamplingConfig(maxNewTokens: perTurnMaxNewTokens), rng: &rng)
            var right = 0
            for (task, reply) in zip(tasks, replies) {
                if EpisodeRunner.firstAction(of: reply.text, spec: spec) == task.firstAction { right += 1 }
            }
            result[kind] = Double(right) / Double(replies.count)
        }
        return result
    }
}
