import TensorCore

/// A GPT-2 architecture causal transformer (Radford et al. 2019): token + learned position
/// embeddings, pre-LN blocks, a final layer norm, and an output projection tied to the token
/// embedding. Parameter names and layouts are HuggingFace's `GPT2LMHeadModel`
/// (`transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight` `[in, out]`, …), so a real
/// GPT-2 checkpoint loads into it and its checkpoints load into `transformers`.
public final class GPT2Model: @unchecked Sendable {
    public let config: GPT2Config
    /// Token embedding `[vocab, D]`; also the output projection when tied.
    public let tokenEmbedding: Tensor
    /// Learned position embedding `[context, D]`.
    public let positionEmbedding: Tensor
    public let blocks: [GPT2Block]
    public let finalNormWeight: Tensor, finalNormBias: Tensor
    /// The separate output projection `[vocab, D]` (`lm_head.weight`) when embeddings are untied.
    public let outputProjection: Tensor?

    /// A freshly initialised model (GPT-2's initialisation, see `GPT2Block.init`).
    public init(config: GPT2Config, rng: inout SeededRNG) throws(PolicyModelsError) {
        try config.validate()
        self.config = config
        let d = config.dModel
        tokenEmbedding = .randn([config.vocabSize, d], std: 0.02, rng: &rng, requiresGrad: true)
        positionEmbedding = .randn([config.contextLength, d], std: 0.01, rng: &rng, requiresGrad: true)
        var blocks: [GPT2Block] = []
        for _ in 0..<config.layers { blocks.append(GPT2Block(config: config, rng: &rng)) }
        self.blocks = blocks
        finalNormWeight = .ones([d], requiresGrad: true)
        finalNormBias = .zeros([d], requiresGrad: true)
        outputProjection = config.tieWordEmbeddings ? nil
            : .randn([config.vocabSize, d], std: 0.02, rng: &rng, requiresGrad: true)
    }

    /// Every trainable parameter under its HuggingFace name, in a fixed order.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        var list: [(name: String, tensor: Tensor)] = [
            ("transformer.wte.weight", tokenEmbedding), ("transformer.wpe.weight", positionEmbedding),
        ]
        for (i, block) in blocks.enumerated() {
            for (name, t) in block.namedParameters { list.append(("transformer.h.\(i).\(name)", t)) }
        }
        list.append(("transformer.ln_f.weight", finalNormWeight))
        list.append(("transformer.ln_f.bias", finalNormBias))
        if let outputProjection { list.append(("lm_head.weight", outputProjection)) }
        return list
    }

    /// The parameters alone (what an optimizer takes).
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Number of scalar parameters (tied weights counted once).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Final hidden states `[B, T, D]` (after `ln_f`) for a padded batch. Records the graph
    /// unless called inside `noGrad`.
    public func hiddenStates(_ batch: TokenBatch) throws(PolicyModelsError) -> Tensor {
        try inputLimits.check(batch)
        let shape = [batch.batchSize, batch.length]
        var x = Tensor.embedding(tokenEmbedding, ids: batch.ids, shape: shape)
            + Tensor.embedding(positionEmbedding, ids: batch.positions, shape: shape)
        let mask = batch.hasPadding ? batch.mask : nil
        for block in blocks { x = block(x, keyMask: mask) }
        return x.layerNorm(weight: finalNormWeight, bias: finalNormBias, eps: config.layerNormEpsilon)
    }

    /// Next-token logits `[..., vocab]` for hidden states `[..., D]`.
    public func logits(fromHidden hidden: Tensor) -> Tensor {
        Tensor.matmul(hidden, outputProjection ?? tokenEmbedding, transposeB: true)
    }

    /// Next-token logits `[B, T, vocab]`: row t predicts token t+1.
    public func logits(_ batch: TokenBatch) throws(PolicyModelsError) -> Tensor {
        logits(fromHidden: try hiddenStates(batch))
    }

    /// Mean next-token cross-entropy over the real tokens of a right-padded batch (the language
    /// modelling loss behaviour cloning and the smoke test train on). `lossMask`, if given
    /// (`batchSize × length`), limits the loss to targets where it is true.
    public func languageModelLoss(_ batch: TokenBatch, lossMask: [Bool]? = nil) throws(PolicyModelsError) -> Tensor {
        let logits = try logits(batch)
        return Tensor.crossEntropy(logits, targets: Self.nextTokenTargets(batch, lossMask: lossMask), ignoreIndex: -100)
    }

    /// For each position, the id of the next real token in the row, or -100 where there is none
    /// (the last token, padding) or `lossMask` excludes it.
    static func nextTokenTargets(_ batch: TokenBatch, lossMask: [Bool]? = nil, ignore: Int = -100) -> [Int] {
        var targets = [Int](repeating: ignore, count: batch.ids.count)
        for b in 0..<batch.batchSize {
            let row = b * batch.length
            for t in 0..<(batch.length - 1) where batch.mask[row + t] && batch.mask[row + t + 1] {
                if let lossMask, !lossMask[row + t + 1] { continue }
                targets[row + t] = batch.ids[row + t + 1]
            }
        }
        return targets
    }

    /// The ids and lengths this model can read.
    var inputLimits: InputLimits { InputLimits(vocabularySize: config.vocabSize, contextLength: config.contextLength) }
}
