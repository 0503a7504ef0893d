import EnvironmentKit

/// The environment's scripted expert playing the episode as a policy would see it: each turn it
/// reads the working context `ContextBuilder` renders under a token budget and compaction mode,
/// and it writes the summary turns itself (its `act` receives the `[summarize]` request).
///
/// An expert run on the full history (what `EnvironmentChecker` does) can remember what a policy
/// with a bounded window has lost; this run reports the success a cloned policy can reach, and
/// its turns are the demonstrations behaviour cloning copies (Learners.ExpertDemonstrations).
public enum BudgetedExpert {
    /// One episode played under the budget.
    public struct Outcome: Sendable {
        public var task: TaskRecord
        public var success: Bool
        public var episodeReturn: Double
        public var status: EpisodeStatus
        /// Why the builder ended the episode early (`none` mode over budget, summary cap), if it did.
        public var stop: ContextStopReason?
        /// Every turn, summary turns included, with the exact context and generated tokens.
        public var turns: [TurnRecord]
        /// Infrastructure failure that ended the episode (status `infraError`), if any.
        public var infraError: String?

        /// Tool calls over the episode.
        public var toolCalls: Int { turns.reduce(0) { $0 + $1.toolCalls.count } }
    }

    /// How a policy writes an utterance: `encode(text, maxNewTokens)` returns the ids the policy
    /// would generate for `text` (its end-of-reply marker included when the reply fits) cut to
    /// `maxNewTokens`, and the text those ids spell (what reaches the environment).
    public struct ReplyEncoder: Sendable {
        public var tokenizer: any ContextTokenizer
        public var encode: @Sendable (String, Int) -> (tokens: [Int32], text: String)

        public init(tokenizer: any ContextTokenizer, encode: @escaping @Sendable (String, Int) -> (tokens: [Int32], text: String)) {
            self.tokenizer = tokenizer
            self.encode = encode
        }

        /// The byte chat template (the reference byte-level policy): UTF-8 bytes, then the end token.
        public static let bytes = ReplyEncoder(tokenizer: ByteChatTokenizer()) { text, maxNewTokens in
            let tokenizer = ByteChatTokenizer()
            let ids = Array((text.utf8.map { Int32($0) } + tokenizer.replyClosing).prefix(maxNewTokens))
            return (ids, tokenizer.text(of: ids))
        }
    }

    /// Plays one episode per seed, each in a fresh environment of `provider`, at most
    /// `concurrency` at a time (enough to keep the sandbox pool busy, few enough that thousands of
    /// episodes do not open thousands of environments at once). Outcomes are in seed order; an
    /// episode that hits an infrastructure failure throws (a set with holes is not one).
    public static func playMany(
        _ provider: any EnvironmentProvider, expert: any ExpertPolicy, configuration: ContextBuilderConfiguration,
        seeds: [UInt64], options: ResetOptions, encoder: ReplyEncoder = .bytes, concurrency: Int = 8
    ) async throws -> [Outcome] {
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            func addNext() {
                guard next < seeds.count else { return }
                let (k, seed) = (next, seeds[next])
                next += 1
                group.addTask {
                    let environment = provider.makeEnvironment()
                    let outcome: Outcome
                    do {
                        outcome = try await play(environment, expert: expert, configuration: configuration, seed: seed, options: options, encoder: encoder)
                    } catch {
                        await environment.close()
                        throw error
                    }
                    await environment.close()
                    if let failure = outcome.infraError { throw EnvironmentError.infrastructure(failure) }
                    return (k, outcome)
                }
            }
            for _ in 0..<max(1, concurrency) { addNext() }
            var out = [Outcome?](repeating: nil, count: seeds.count)
            for try await (k, outcome) in group {
                out[k] = outcome
                addNext()
            }
            return out.map { $0! }
        }
    }

    /// Plays one episode of `environment` (reset with `seed` and `options`) with `expert` as the
    /// policy, in the tokens of `encoder` (default: bytes). Replies are cut at each turn's
    /// `maxNewTokens`, as generation would cut them. Infrastructure failures end the episode
    /// with status `infraError` (they are not the expert's score).
    public static func play(
        _ environment: any Environment, expert: any ExpertPolicy, configuration: ContextBuilderConfiguration,
        seed: UInt64, options: ResetOptions, encoder: ReplyEncoder = .bytes, maxTurns: Int = 1_000
    ) async throws -> Outcome {
        let first = try await environment.reset(seed: seed, options: options)
        guard let task = await environment.currentTask else {
            throw EnvironmentError.infrastructure("the environment has no current task after reset")
        }
        let start = await environment.messages
        let closing = encoder.tokenizer.replyClosing
        var builder = ContextBuilder(
            system: start.first?.content ?? "", task: first.text, tokenizer: encoder.tokenizer, configuration: configuration)
        var outcome = Outcome(task: task, success: false, episodeReturn: 0, status: .truncated, stop: nil, turns: [])
        var seen: [ChatMessage] = []
        for _ in 0..<maxTurns {
            switch builder.nextAction() {
            case let .stop(reason):
                outcome.stop = reason
                outcome.status = reason == .summaryCapExceeded ? .masked : .truncated
                return outcome
            case let .generate(tokens, messages, maxNewTokens, isSummary):
                let full = try await expert.act(task: task, messages: messages, seed: seed)
                let (generated, reply) = encoder.encode(full, maxNewTokens)
                let written = generated.count >= closing.count && Array(generated.suffix(closing.count)) == closing
                    ? Array(generated.dropLast(closing.count)) : generated
                let arrived = Array(messages.dropFirst(zip(seen, messages).prefix { $0 == $1 }.count))
                seen = messages + [ChatMessage(role: .assistant, content: reply)]
                var turn = TurnRecord(
                    contextTokens: tokens, generatedTokens: generated, logProbs: [Float](repeating: 0, count: generated.count),
                    reward: 0, isSummary: isSummary, messagesBefore: arrived, utterance: reply)
                if isSummary {
                    builder.record(reply: reply, generatedTokens: written, observation: [])
                    outcome.turns.append(turn)
                    continue
                }
                let result = await environment.step(reply)
                turn.reward = result.reward
                turn.toolCalls = result.info.toolCalls
                outcome.turns.append(turn)
                outcome.episodeReturn += result.reward
                if let failure = result.info.infraError {
                    outcome.status = .infraError
                    outcome.infraError = failure
                    return outcome
                }
                builder.record(
                    reply: reply, generatedTokens: written,
                    observation: result.done ? [] : [ChatMessage(role: result.observation.role, content: result.observation.text)])
                if result.done {
                    outcome.success = result.terminated && (result.info.success ?? (result.reward > 0))
                    outcome.status = result.terminated ? .terminated : .truncated
                    return outcome
                }
            }
        }
        return outcome
    }
}
