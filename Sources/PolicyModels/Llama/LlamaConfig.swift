/// The shape of a Llama-family model (Touvron et al., 2023): RMSNorm, rotary positions,
/// SwiGLU feed-forward, grouped-query attention, optionally tied input/output embeddings.
public struct LlamaConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var contextLength: Int
    public var dModel: Int
    public var layers: Int
    public var heads: Int
    /// Key/value heads (grouped-query attention); `heads` must be a multiple.
    public var kvHeads: Int
    /// Width of the SwiGLU hidden layer.
    public var feedForward: Int
    public var ropeBase: Float
    public var rmsNormEpsilon: Float
    public var tieWordEmbeddings: Bool

    public init(vocabSize: Int, contextLength: Int, dModel: Int, layers: Int, heads: Int, kvHeads: Int,
                feedForward: Int, ropeBase: Float = 10_000, rmsNormEpsilon: Float = 1e-5, tieWordEmbeddings: Bool = true) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.dModel = dModel
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.feedForward = feedForward
        self.ropeBase = ropeBase
        self.rmsNormEpsilon = rmsNormEpsilon
        self.tieWordEmbeddings = tieWordEmbeddings
    }

    public var headDim: Int { dModel / heads }
    /// Width of the key and value projections.
    public var kvDim: Int { kvHeads * headDim }
    /// Query heads per key/value head.
    public var groups: Int { heads / kvHeads }

    /// A tiny model for tests (2 layers, d 64, 4 query / 2 KV heads, vocab 260: bytes + specials).
    public static let tiny = LlamaConfig(vocabSize: 260, contextLength: 64, dModel: 64, layers: 2, heads: 4, kvHeads: 2,
                                         feedForward: 96, ropeBase: 10_000, rmsNormEpsilon: 1e-5)

    /// The `llama.*` keys of a GGUF file (the architecture prefix is `general.architecture`).
    public init(gguf file: GGUFFile) throws(PolicyModelsError) {
        let arch = try file.string("general.architecture")
        guard arch == "llama" else {
            throw .unsupported(path: file.path, field: "general.architecture", value: "\(arch) (TurnRL runs Llama-family GGUF models)")
        }
        let heads = try file.int("llama.attention.head_count")
        let vocab: Int
        if let v = file.metadata["llama.vocab_size"]?.intValue { vocab = v } else { vocab = try file.strings("tokenizer.ggml.tokens").count }
        let context = try file.int("llama.context_length")
        let width = try file.int("llama.embedding_length")
        let blocks = try file.int("llama.block_count")
        let ffn = try file.int("llama.feed_forward_length")
        let eps = try file.double("llama.attention.layer_norm_rms_epsilon")
        self.init(vocabSize: vocab, contextLength: context, dModel: width, layers: blocks,
                  heads: heads, kvHeads: file.metadata["llama.attention.head_count_kv"]?.intValue ?? heads,
                  feedForward: ffn, ropeBase: Float(file.metadata["llama.rope.freq_base"]?.doubleValue ?? 10_000),
                  rmsNormEpsilon: Float(eps), tieWordEmbeddings: file.info("output.weight") == nil)
        if let ropeDims = file.metadata["llama.rope.dimension_count"]?.intValue, ropeDims != headDim {
            throw .unsupported(path: file.path, field: "llama.rope.dimension_count", value: "\(ropeDims) (partial rotary; head width is \(headDim))")
        }
        try validate()
    }

    func validate() throws(PolicyModelsError) {
        guard vocabSize > 0, contextLength > 0, layers > 0, feedForward > 0 else {
            throw .invalidConfiguration("vocab \(vocabSize), context \(contextLength), layers \(layers), feed-forward \(feedForward) must all be positive")
        }
        guard heads > 0, kvHeads > 0, dModel % heads == 0, heads % kvHeads == 0, headDim % 2 == 0 else {
            throw .invalidConfiguration("d_model \(dModel) with \(heads) heads / \(kvHeads) KV heads: heads must divide d_model into even head widths and KV heads must divide heads")
        }
    }
}
