import EnvironmentKit
import Trajectories

/// Expert demonstrations in the policy's tokens: the environment's scripted expert plays, and
/// each of its utterances becomes a turn whose context is what `ContextBuilder` renders for the
/// policy at that point and whose generated ids are `policy.replyTokens(for:)` of the utterance.
/// Demonstrations carry log-prob 0 per token (the expert is not a distribution over ids).
public enum ExpertDemonstrations {
    /// Plays one expert episode per seed and converts it. Throws when the environment has no expert.
    public static func collect(
        provider: any EnvironmentProvider, policy: any TurnPolicy, seeds: [UInt64], split: Split = .train,
        perTurnMaxNewTokens: Int = 96, summarizer: (any Summarizer)? = nil
    ) async throws -> [PlayedEpisode] {
        guard let expert = provider.expert else {
            throw EnvironmentError.unavailable(what: "an expert (expert.py)", environment: provider.spec.name, fix: "Behaviour cloning needs the environment's expert.")
        }
        let configuration = RolloutWorker.builderConfiguration(spec: provider.spec, policy: policy, perTurnMaxNewTokens: perTurnMaxNewTokens)
        let summarizer = summarizer ?? ExtractiveSummarizer(tokenizer: policy.contextTokenizer)
        // Expert episodes are independent: play them concurrently (each has its own environment).
        let records = try await withThrowingTaskGroup(of: (Int, EpisodeRecord).self) { group in
            for (k, seed) in seeds.enumerated() {
                group.addTask {
                    let environment = provider.makeEnvironment()
                    let record = try await EpisodeRunner.run(environment, expert: expert, seed: seed, options: ResetOptions(split: split))
                    await environment.close()
                    return (k, record)
                }
            }
            var out = [EpisodeRecord?](repeating: nil, count: seeds.count)
            for try await (k, record) in group { out[k] = record }
            return out.map { $0! }
        }
        var episodes: [PlayedEpisode] = []
        for record in records {
            episodes.append(try await convert(record, provider: provider, policy: policy, configuration: configuration, summarizer: summarizer))
        }
        return episodes
    }

    /// Renders an expert episode into the policy's tokens through a context builder.
    static func convert(
        _ record: EpisodeRecord, provider: any EnvironmentProvider, policy: any TurnPolicy,
        configuration: ContextBuilderConfiguration, summarizer: any Summarizer
    ) async throws -> PlayedEpisode {
        var builder = ContextBuilder(
            system: provider.spec.systemPrompt, task: record.firstObservation.text,
            tokenizer: policy.contextTokenizer, configuration: configuration)
        var turns: [TurnRecord] = []
        var status: EpisodeStatus = .truncated
        var k = 0
        conversion: while k < record.utterances.count {
            switch builder.nextAction() {
            case .stop(let reason):
                status = reason == .summaryCapExceeded ? .masked : .truncated
                break conversion
            case .generate(let tokens, let messages, _, let isSummary):
                let step = record.steps[k]
                let text = isSummary ? try await summarizer.summarize(messages) : record.utterances[k]
                let generated = policy.replyTokens(for: text)
                turns.append(TurnRecord(
                    contextTokens: tokens, generatedTokens: generated, logProbs: [Float](repeating: 0, count: generated.count),
                    reward: isSummary ? 0 : step.reward, toolCalls: isSummary ? [] : step.info.toolCalls,
                    isSummary: isSummary, messagesBefore: messages, utterance: text))
                let observation = isSummary || step.done ? [] : [ChatMessage(role: step.observation.role, content: step.observation.text)]
                builder.record(reply: text, generatedTokens: policy.strippingReplyClosing(generated), observation: observation)
                if !isSummary {
                    if step.done { status = step.terminated ? .terminated : .truncated }
                    k += 1
                }
            }
        }
        if record.infraError != nil { status = .infraError }
        let data = EpisodeRecordData(
            environment: provider.spec.name, taskID: record.task.id, split: record.split.rawValue, seed: record.seed,
            episodeReturn: turns.reduce(0) { $0 + $1.reward }, status: status, infraError: record.infraError, turns: turns)
        let toolCalls = record.steps.prefix(k).reduce(0) { $0 + $1.info.toolCalls.count }
        let success = status == .terminated && record.success
        return PlayedEpisode(record: data, taskKind: record.task.kind, success: success, toolCalls: toolCalls)
    }
}
