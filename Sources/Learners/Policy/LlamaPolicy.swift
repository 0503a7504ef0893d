import Foundation
import PolicyModels
import TensorCore
import Trajectories

/// A Llama-family language model (SmolLM2-135M-Instruct from its GGUF) trained through LoRA:
/// the base stays frozen (its linear weights also kept quantised for decoding), `parameters`
/// are the adapters' factors only. Contexts are rendered by the model's own chat template
/// (`ChatTemplateTokenizer`); a reply ends with the template's end-of-message token
/// (`<|im_end|>` for SmolLM2), which is kept in the reply's tokens.
public final class LlamaPolicy: TurnPolicy, @unchecked Sendable {
    public let model: LlamaModel
    public let base: LlamaBase
    /// The adapters' rank, alpha and targets (saved in `adapter_config.json`); nil for the
    /// base as it is (`untrained(base:)`).
    public let lora: LoRAConfig?
    public let chat: ChatTemplateTokenizer
    public var contextTokenizer: any ContextTokenizer { chat }
    /// The tokenizer generation runs with: the base tokenizer whose end of text is the end of a
    /// reply, so sampling stops there.
    private let generationTokenizer: ReplyEndTokenizer
    private let specialIDs: Set<Int>

    /// The file in a checkpoint folder that names the base model.
    public static let markerFile = "base_model.json"

    /// The base with fresh adapters (they leave the model's outputs unchanged: B starts at zero).
    public convenience init(base: LlamaBase, lora: LoRAConfig, rng: inout SeededRNG) throws {
        try base.model.attachLoRA(lora, rng: &rng)
        try self.init(attached: base, lora: lora)
    }

    /// The base as it is, without adapters (evaluating or playing the instruct model itself);
    /// nothing to train and nothing to save.
    public static func untrained(base: LlamaBase) throws -> LlamaPolicy {
        try LlamaPolicy(attached: base, lora: nil)
    }

    /// Wraps a base whose adapters (if any) are already attached.
    init(attached base: LlamaBase, lora: LoRAConfig?) throws {
        self.base = base
        model = base.model
        self.lora = lora
        chat = try ChatTemplateTokenizer(template: base.template, tokenizer: base.tokenizer)
        generationTokenizer = ReplyEndTokenizer(base: base.tokenizer, endOfReply: Int(chat.endOfReply))
        specialIDs = Set(base.tokenizer.specialTokens.values)
    }

    /// Loads a checkpoint folder written by `save(to:)`: the base named in `base_model.json`
    /// (found by `resolveBase`) with the folder's PEFT adapter attached.
    public static func load(folder: URL, resolveBase: LlamaBaseResolver) throws -> LlamaPolicy {
        let marker = try Marker.read(folder.appendingPathComponent(markerFile))
        let base = try resolveBase(marker.baseModel)
        let lora = try LoRACheckpoint.load(into: base.model, from: folder)
        return try LlamaPolicy(attached: base, lora: lora)
    }

    public var contextLength: Int { model.config.contextLength }
    /// Scoring records the graph only for the continuation (`LlamaModel.replyScores`), but a
    /// forward still holds every layer's context keys and values (~4.6 KB per token per layer
    /// for SmolLM2-135M) and attention rows over the whole context. Behaviour cloning's
    /// continuations are whole episodes (the turns chained into one sequence): at 8,192 padded
    /// tokens, a BC step of 8 guess-country episodes (~600 tokens each, all under the graph)
    /// grew past 24 GB and was killed. 2,048 keeps such a step near 6 GB; a forward of 2,048
    /// rows still runs sgemm at full speed.
    public var tokensPerForward: Int { 2_048 }
    public var vocabularySize: Int { model.config.vocabSize }
    public var parameters: [Tensor] { model.loraParameters }
    /// The adapters' factors under their PEFT names (the keys of the optimizer state too).
    public var namedParameters: [(name: String, tensor: Tensor)] {
        model.loraAdapters.flatMap { entry in
            [(LoRACheckpoint.tensorName(layer: entry.layer, target: entry.target, factor: "A"), entry.adapter.a),
             (LoRACheckpoint.tensorName(layer: entry.layer, target: entry.target, factor: "B"), entry.adapter.b)]
        }
    }

    public func generate(contexts: [[Int32]], sampling: SamplingConfig, rng: inout SeededRNG) throws -> [GeneratedReply] {
        try generate(contexts: contexts, sampling: sampling, rng: &rng, cache: nil)
    }

    /// Keys and values of each episode's last turn (`LlamaPromptCache`): a turn then reads its
    /// new tokens only, not the whole context again.
    public func makeTurnCache() -> (any TurnCache)? { LlamaPromptCache() }

    public func generate(contexts: [[Int32]], sampling: SamplingConfig, rng: inout SeededRNG, cache: (any TurnCache)?) throws -> [GeneratedReply] {
        let results = try model.generate(
            prompts: contexts.map { $0.map(Int.init) }, tokenizer: generationTokenizer, options: GenerationOptions(sampling: sampling),
            cache: cache as? LlamaPromptCache, rng: &rng)
        let end = Int(chat.endOfReply)
        return try results.map { result in
            GeneratedReply(
                tokens: result.tokens.map(Int32.init), logProbs: result.samplingLogProbs, policyLogProbs: result.policyLogProbs,
                text: try base.tokenizer.decode(result.tokens.filter { !specialIDs.contains($0) }), endedByPolicy: result.tokens.last == end)
        }
    }

    /// The context is encoded once without a graph; gradients flow through the reply tokens
    /// (see `LlamaModel.replyScores`).
    public func continuationScores(contexts: [[Int32]], continuations: [[Int32]]) throws -> ContinuationScores {
        try model.replyScores(prompts: contexts.map { $0.map(Int.init) }, continuations: continuations.map { $0.map(Int.init) })
    }

    public func replyTokens(for text: String) -> [Int32] {
        base.tokenizer.encode(text).map(Int32.init) + [chat.endOfReply]
    }

    /// The PEFT adapter (`adapter_model.safetensors`, `adapter_config.json`) and
    /// `base_model.json` naming the base (`{"policy": "llama-lora", "baseModel": NAME}`).
    public func save(to folder: URL) throws {
        guard let lora else {
            throw PolicyModelsError.invalidConfiguration("this \(base.name) policy has no LoRA adapters, so there is nothing to save")
        }
        try LoRACheckpoint.save(model, config: lora, baseModel: base.huggingFaceID, to: folder)
        try Marker(baseModel: base.name).write(folder.appendingPathComponent(Self.markerFile))
    }

    /// The contents of `base_model.json`.
    struct Marker: Codable {
        var policy = "llama-lora"
        var baseModel: String

        init(baseModel: String) { self.baseModel = baseModel }

        static func read(_ url: URL) throws -> Marker {
            do { return try JSONDecoder().decode(Marker.self, from: Data(contentsOf: url)) } catch {
                throw PolicyModelsError.fileUnreadable(path: url.path, reason: "\(error)")
            }
        }

        func write(_ url: URL) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(self).write(to: url)
        }
    }
}

extension LlamaPromptCache: TurnCache {}

/// A tokenizer that is `base` except that its end of text is the end of a reply (SmolLM2's GGUF
/// says `<|im_end|>` already; other templates' end-of-message token may differ from it).
struct ReplyEndTokenizer: Tokenizer {
    let base: any Tokenizer
    let endOfReply: Int

    var vocabularySize: Int { base.vocabularySize }
    var specialTokens: [String: Int] { base.specialTokens }
    var endOfTextID: Int? { endOfReply }
    func encode(_ text: String) -> [Int] { base.encode(text) }
    func decodeBytes(_ ids: [Int]) throws(PolicyModelsError) -> [UInt8] { try base.decodeBytes(ids) }
}
