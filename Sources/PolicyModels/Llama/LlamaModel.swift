import TensorCore

/// A Llama-family causal language model on TensorCore (SmolLM2, TinyLlama, Llama 2/3 shapes):
/// token embedding, `layers` × `LlamaLayer`, a final RMSNorm and an output projection (tied
/// to the embedding unless the file has `output.weight`).
///
/// Weights are Float32 `[out, in]` in GGUF's row order (q/k rows arranged for adjacent-pair
/// rotary, see `rotaryEmbedding`). Load a GGUF with `LlamaModel(gguf:)` (dequantised once,
/// frozen), or build a random one with `init(config:rng:)` (trainable). `attachLoRA` adds
/// trainable adapters; `parameters` lists what an optimizer should update.
public final class LlamaModel: @unchecked Sendable {
    public let config: LlamaConfig
    /// `[vocab, D]`; also the output projection when tied.
    public let tokenEmbedding: Tensor
    public let layers: [LlamaLayer]
    public let finalNorm: Tensor
    /// `[vocab, D]` when the output projection is not tied.
    public let outputProjection: Tensor?
    /// The output projection still quantised (from a GGUF), for decoding steps.
    var quantizedOutput: QuantizedMatrix?

    init(config: LlamaConfig, tokenEmbedding: Tensor, layers: [LlamaLayer], finalNorm: Tensor, outputProjection: Tensor?) {
        self.config = config
        self.tokenEmbedding = tokenEmbedding
        self.layers = layers
        self.finalNorm = finalNorm
        self.outputProjection = outputProjection
    }

    /// A randomly initialised model (N(0, 0.02) weights, unit norms), every tensor trainable.
    public convenience init(config: LlamaConfig, rng: inout SeededRNG) throws(PolicyModelsError) {
        try config.validate()
        let d = config.dModel, kv = config.kvDim, f = config.feedForward
        func w(_ shape: [Int]) -> Tensor { .randn(shape, std: 0.02, rng: &rng, requiresGrad: true) }
        let embedding = w([config.vocabSize, d])
        var layers: [LlamaLayer] = []
        for _ in 0..<config.layers {
            layers.append(LlamaLayer(
                config: config, attentionNorm: .ones([d], requiresGrad: true),
                q: w([d, d]), k: w([kv, d]), v: w([kv, d]), o: w([d, d]),
                feedForwardNorm: .ones([d], requiresGrad: true), gate: w([f, d]), up: w([f, d]), down: w([d, f])))
        }
        self.init(config: config, tokenEmbedding: embedding, layers: layers, finalNorm: .ones([d], requiresGrad: true),
                  outputProjection: config.tieWordEmbeddings ? nil : w([config.vocabSize, d]))
    }

    /// Every base tensor under its HuggingFace `LlamaForCausalLM` name, in a fixed order
    /// (q/k rows are in GGUF's order, see the type's documentation).
    public var namedParameters: [(name: String, tensor: Tensor)] {
        var list: [(name: String, tensor: Tensor)] = [("model.embed_tokens.weight", tokenEmbedding)]
        for (i, layer) in layers.enumerated() {
            for (name, t) in layer.namedParameters { list.append(("model.layers.\(i).\(name)", t)) }
        }
        list.append(("model.norm.weight", finalNorm))
        if let outputProjection { list.append(("lm_head.weight", outputProjection)) }
        return list
    }

    /// What training updates: the LoRA factors when adapters are attached and the base is
    /// frozen, otherwise every base tensor that requires a gradient.
    public var parameters: [Tensor] {
        namedParameters.map(\.tensor).filter(\.requiresGrad) + loraParameters
    }

    /// Number of scalars in `parameters`.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Final hidden states `[B, T, D]` (after the last RMSNorm) for a padded batch.
    public func hiddenStates(_ batch: TokenBatch) throws(PolicyModelsError) -> Tensor {
        try inputLimits.check(batch)
        var x = Tensor.embedding(tokenEmbedding, ids: batch.ids, shape: [batch.batchSize, batch.length])
        let mask = batch.hasPadding ? batch.mask : nil
        for layer in layers { x = layer(x, positions: batch.positions, keyMask: mask) }
        return x.rmsNorm(weight: finalNorm, eps: config.rmsNormEpsilon)
    }

    /// Next-token logits `[..., vocab]` for hidden states `[..., D]`.
    public func logits(fromHidden hidden: Tensor) -> Tensor {
        let weight = outputProjection ?? tokenEmbedding
        return QuantizedMatrix.decodingProduct(hidden, quantizedOutput, weight) ?? Tensor.matmul(hidden, weight, transposeB: true)
    }

    /// Next-token logits `[B, T, vocab]`: row t predicts token t + 1.
    public func logits(_ batch: TokenBatch) throws(PolicyModelsError) -> Tensor {
        logits(fromHidden: try hiddenStates(batch))
    }

    /// Mean next-token cross-entropy over the real tokens of a right-padded batch; `lossMask`
    /// (`batchSize × length`) limits it to the targets where it is true (e.g. assistant turns).
    public func languageModelLoss(_ batch: TokenBatch, lossMask: [Bool]? = nil) throws(PolicyModelsError) -> Tensor {
        Tensor.crossEntropy(try logits(batch), targets: GPT2Model.nextTokenTargets(batch, lossMask: lossMask), ignoreIndex: -100)
    }

    /// The ids and lengths this model can read.
    var inputLimits: InputLimits { InputLimits(vocabularySize: config.vocabSize, contextLength: config.contextLength) }
}
