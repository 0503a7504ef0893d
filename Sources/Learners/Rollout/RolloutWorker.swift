import EnvironmentKit
import PolicyModels
import TensorCore
import Trajectories

/// How the rollout worker plays.
public struct RolloutSettings: Sendable, Equatable {
    /// Which tasks.
    public var split: Split
    /// Sampling of replies (temperature 1 = the policy itself; 0 = greedy).
    public var sampling: SamplingConfig
    /// Episodes played side by side; their turns are generated in one batch.
    public var batchSize: Int
    /// Cap on new tokens per turn. 96 covers a tool call or an answer in the built-in
    /// environments' action formats with room to spare (TurnRL's choice).
    public var perTurnMaxNewTokens: Int

    public init(split: Split = .train, sampling: SamplingConfig = SamplingConfig(), batchSize: Int = 16, perTurnMaxNewTokens: Int = 96) {
        self.split = split
        self.sampling = sampling
        self.batchSize = batchSize
        self.perTurnMaxNewTokens = perTurnMaxNewTokens
    }
}

/// Plays episodes of an environment with a policy, through `Trajectories.ContextBuilder`: the
/// builder renders each context (budget and compaction from the environment's spec, capped at
/// the policy's context length), the policy's sampled ids and log-probs are recorded as they
/// are, and the next context is built from those ids, never from re-tokenised text.
public struct RolloutWorker: Sendable {
    public let provider: any EnvironmentProvider
    public let policy: any TurnPolicy
    public let settings: RolloutSettings

    public init(provider: any EnvironmentProvider, policy: any TurnPolicy, settings: RolloutSettings) {
        self.provider = provider
        self.policy = policy
        self.settings = settings
    }

    /// The builder configuration for this environment and policy.
    public static func builderConfiguration(spec: EnvironmentSpec, policy: any TurnPolicy, perTurnMaxNewTokens: Int) -> ContextBuilderConfiguration {
        var settings = spec.context
        settings.budgetTokens = min(settings.budgetTokens, policy.contextLength)
        return ContextBuilderConfiguration(settings: settings, perTurnMaxNewTokens: perTurnMaxNewTokens)
    }

    /// Plays one episode per seed, `batchSize` at a time; results are in seed order.
    public func play(seeds: [UInt64], rng: inout SeededRNG) async throws -> [PlayedEpisode] {
        var episodes: [PlayedEpisode] = []
        var start = 0
        while start < seeds.count {
            let chunk = Array(seeds[start..<min(start + max(1, settings.batchSize), seeds.count)])
            episodes += try await playBatch(chunk, rng: &rng)
            start += chunk.count
        }
        return episodes
    }

    /// One episode in progress.
    private struct Slot {
        let environment: any Environment
        let seed: UInt64
        let task: TaskRecord
        var builder: ContextBuilder
        var turns: [TurnRecord] = []
        var status: EpisodeStatus?
        var infraError: String?
        var success = false
        var toolCalls = 0
    }

    private func playBatch(_ seeds: [UInt64], rng: inout SeededRNG) async throws -> [PlayedEpisode] {
        let spec = provider.spec
        let configuration = Self.builderConfiguration(spec: spec, policy: policy, perTurnMaxNewTokens: settings.perTurnMaxNewTokens)
        var slots: [Slot] = []
        for seed in seeds {
            let environment = provider.makeEnvironment()
            _ = try await environment.reset(seed: seed, options: ResetOptions(split: settings.split))
            guard let task = await environment.currentTask else {
                throw EnvironmentError.episodeNotStarted(environment: spec.name)
            }
            let opening = await environment.messages
            let builder = ContextBuilder(
                system: opening.first?.content ?? spec.systemPrompt, task: opening.dropFirst().first?.content ?? task.prompt,
                tokenizer: policy.contextTokenizer, configuration: configuration)
            slots.append(Slot(environment: environment, seed: seed, task: task, builder: builder))
        }
        // Each turn's context extends the episode's last one; the policy may keep what it read.
        let turnCache = policy.makeTurnCache()
        while true {
            // Ask every open episode's builder what comes next.
            var requests: [(slot: Int, tokens: [Int32], messages: [ChatMessage], maxNew: Int, isSummary: Bool)] = []
            for i in slots.indices where slots[i].status == nil {
                switch slots[i].builder.nextAction() {
                case .generate(let tokens, let messages, let maxNew, let isSummary):
                    requests.append((i, tokens, messages, maxNew, isSummary))
                case .stop(let reason):
                    slots[i].status = reason == .summaryCapExceeded ? .masked : .truncated
                }
            }
            if requests.isEmpty { break }
            var sampling = settings.sampling
            sampling.maxNewTokens = requests.map(\.maxNew).min()!
            let replies = try policy.generate(contexts: requests.map(\.tokens), sampling: sampling, rng: &rng, cache: turnCache)
            // Step the environments concurrently (tool calls run in the sandbox pool).
            let results = await withTaskGroup(of: (Int, StepResult?).self) { group in
                for (k, request) in requests.enumerated() where !request.isSummary {
                    let environment = slots[request.slot].environment
                    let text = replies[k].text
                    group.addTask { (k, await environment.step(text)) }
                }
                var out = [StepResult?](repeating: nil, count: requests.count)
                for await (k, result) in group { out[k] = result }
                return out
            }
            for (k, request) in requests.enumerated() {
                let reply = replies[k]
                let i = request.slot
                let result = results[k]
                let observation = result.map { [ChatMessage(role: $0.observation.role, content: $0.observation.text)] } ?? []
                slots[i].turns.append(TurnRecord(
                    contextTokens: request.tokens, generatedTokens: reply.tokens, logProbs: reply.logProbs,
                    reward: result?.reward ?? 0, toolCalls: result?.info.toolCalls ?? [], isSummary: request.isSummary,
                    messagesBefore: request.messages, utterance: reply.text))
                slots[i].builder.record(
                    reply: reply.text, generatedTokens: policy.strippingReplyClosing(reply.tokens),
                    observation: result?.done == true ? [] : observation)
                guard let result else { continue }
                slots[i].toolCalls += result.info.toolCalls.count
                if let error = result.info.infraError {
                    slots[i].infraError = error
                    slots[i].status = .infraError
                } else if result.done {
                    slots[i].success = result.info.success ?? false
                    slots[i].status = result.terminated ? .terminated : .truncated
                }
            }
        }
        var played: [PlayedEpisode] = []
        for slot in slots {
            await slot.environment.close()
            let record = EpisodeRecordData(
                environment: spec.name, taskID: slot.task.id, split: settings.split.rawValue, seed: slot.seed,
                episodeReturn: slot.turns.reduce(0) { $0 + $1.reward }, status: slot.status ?? .truncated,
                infraError: slot.infraError, turns: slot.turns)
            played.append(PlayedEpisode(record: record, taskKind: slot.task.kind, success: slot.success, toolCalls: slot.toolCalls))
        }
        return played
    }
}
