import Foundation
import PolicyModels
import TensorCore
import Trajectories

/// The byte-level GPT-2 policy: one id per UTF-8 byte, the chat template's role and end tokens
/// (`ByteChatTokenizer`: system 256, user 257, assistant 258, tool 259, end of message 260).
/// Generation stops at the end-of-message token, which doubles as the model's end of text.
public final class GPT2Policy: TurnPolicy, @unchecked Sendable {
    /// The network.
    public let model: GPT2Model
    /// The generation-side tokenizer: bytes plus the template's five special ids.
    public let tokenizer: ByteTokenizer
    public let contextTokenizer: any ContextTokenizer = ByteChatTokenizer()

    /// Special-token names for ids 256…260 in `ByteChatTokenizer`'s order; the last one is the
    /// end of text so generation stops at the end of a message.
    static let specialTokenNames = ["<|system|>", "<|user|>", "<|assistant|>", "<|tool|>", "<|endoftext|>"]

    /// The default size: 2 layers, d_model 128, 4 heads, 512 positions — the size the issue's
    /// PyTorch feasibility run trained in minutes on 2 cores. The vocabulary (261 ids used) is
    /// padded to 264, a multiple of 8, for the SIMD kernels.
    public static let defaultConfig = GPT2Config(vocabSize: 264, contextLength: 512, dModel: 128, layers: 2, heads: 4)

    /// A freshly initialised policy.
    public convenience init(config: GPT2Config = GPT2Policy.defaultConfig, rng: inout SeededRNG) throws {
        try self.init(model: GPT2Model(config: config, rng: &rng))
    }

    /// Wraps a model whose vocabulary holds the byte chat template's 261 ids.
    public init(model: GPT2Model) throws {
        let tokenizer = ByteTokenizer(specialTokenNames: Self.specialTokenNames)
        guard model.config.vocabSize >= tokenizer.vocabularySize else {
            throw PolicyModelsError.invalidConfiguration(
                "the byte chat policy needs a vocabulary of at least \(tokenizer.vocabularySize) ids, the model has \(model.config.vocabSize)")
        }
        self.model = model
        self.tokenizer = tokenizer
    }

    /// Loads a checkpoint folder written by `save(to:)` (or any byte-vocabulary GPT-2 folder).
    public static func load(folder: URL) throws -> GPT2Policy {
        try GPT2Policy(model: GPT2Checkpoint.load(folder: folder).model)
    }

    public var contextLength: Int { model.config.contextLength }
    public var vocabularySize: Int { model.config.vocabSize }
    public var parameters: [Tensor] { model.parameters }
    /// The HF GPT-2 names of `model.safetensors`.
    public var namedParameters: [(name: String, tensor: Tensor)] { model.namedParameters }

    public func generate(contexts: [[Int32]], sampling: SamplingConfig, rng: inout SeededRNG) throws -> [GeneratedReply] {
        let prompts = contexts.map { $0.map(Int.init) }
        let results = try model.generate(prompts: prompts, tokenizer: tokenizer, options: GenerationOptions(sampling: sampling), rng: &rng)
        let end = tokenizer.endOfTextID
        return results.map { result in
            let bytes = result.tokens.compactMap { (0..<256).contains($0) ? UInt8($0) : nil }
            return GeneratedReply(
                tokens: result.tokens.map(Int32.init), logProbs: result.samplingLogProbs, policyLogProbs: result.policyLogProbs,
                text: String(decoding: bytes, as: UTF8.self), endedByPolicy: result.tokens.last == end)
        }
    }

    public func continuationScores(contexts: [[Int32]], continuations: [[Int32]]) throws -> ContinuationScores {
        try model.continuationScores(prompts: contexts.map { $0.map(Int.init) }, continuations: continuations.map { $0.map(Int.init) })
    }

    public func replyTokens(for text: String) -> [Int32] {
        text.utf8.map { Int32($0) } + replyClosing
    }

    /// `config.json` + `model.safetensors` (HF GPT-2 layout) and `tokenizer.yaml` with
    /// `tokenizer: byte-chat` (the marker that the ids are bytes + the chat template's specials).
    public func save(to folder: URL) throws {
        try GPT2Checkpoint.save(model, to: folder)
        try "tokenizer: byte-chat\n".write(to: folder.appendingPathComponent("tokenizer.yaml"), atomically: true, encoding: .utf8)
    }
}
