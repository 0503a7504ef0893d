import TensorCore

/// One Llama decoder layer: x + o_proj(attn(rope(q), rope(k), v)) over RMS-normed x, then
/// + down_proj(silu(gate_proj(h)) ⊙ up_proj(h)) over RMS-normed x (SwiGLU, Shazeer 2020).
public final class LlamaLayer: @unchecked Sendable {
    public let attentionNorm: Tensor
    public let q: LlamaProjection, k: LlamaProjection, v: LlamaProjection, o: LlamaProjection
    public let feedForwardNorm: Tensor
    public let gate: LlamaProjection, up: LlamaProjection, down: LlamaProjection
    let config: LlamaConfig

    init(config: LlamaConfig, attentionNorm: Tensor, q: Tensor, k: Tensor, v: Tensor, o: Tensor,
         feedForwardNorm: Tensor, gate: Tensor, up: Tensor, down: Tensor) {
        self.config = config
        self.attentionNorm = attentionNorm
        self.q = LlamaProjection(weight: q); self.k = LlamaProjection(weight: k)
        self.v = LlamaProjection(weight: v); self.o = LlamaProjection(weight: o)
        self.feedForwardNorm = feedForwardNorm
        self.gate = LlamaProjection(weight: gate); self.up = LlamaProjection(weight: up)
        self.down = LlamaProjection(weight: down)
    }

    /// The projection a LoRA target names.
    public func projection(_ target: LoRATarget) -> LlamaProjection {
        switch target {
        case .qProj: return q
        case .kProj: return k
        case .vProj: return v
        case .oProj: return o
        case .gateProj: return gate
        case .upProj: return up
        case .downProj: return down
        }
    }

    /// Base tensors under their HuggingFace names relative to the layer.
    var namedParameters: [(String, Tensor)] {
        [("input_layernorm.weight", attentionNorm),
         ("self_attn.q_proj.weight", q.weight), ("self_attn.k_proj.weight", k.weight),
         ("self_attn.v_proj.weight", v.weight), ("self_attn.o_proj.weight", o.weight),
         ("post_attention_layernorm.weight", feedForwardNorm),
         ("mlp.gate_proj.weight", gate.weight), ("mlp.up_proj.weight", up.weight),
         ("mlp.down_proj.weight", down.weight)]
    }

    /// Rotated queries `[B, T, D]`, rotated keys and values `[B, T, kvDim]` for RMS-normed x.
    func queryKeyValue(_ h: Tensor, positions: [Int]) -> (Tensor, Tensor, Tensor) {
        let c = config
        let query = q(h).rotaryEmbedding(positions: positions, headDim: c.headDim, base: c.ropeBase)
        let key = k(h).rotaryEmbedding(positions: positions, headDim: c.headDim, base: c.ropeBase)
        return (query, key, v(h))
    }

    /// The layer over whole sequences `[B, T, D]`; `positions` has B·T entries.
    func callAsFunction(_ x: Tensor, positions: [Int], keyMask: [Bool]?) -> Tensor {
        forward(x, positions: positions, keyMask: keyMask, after: nil).output
    }

    /// The layer over `x` `[B, T, D]` whose tokens come after `prefix` (this layer's keys and
    /// values of the earlier tokens, `[B, P, kvDim]` each): queries attend to the prefix and
    /// causally to `x`. `keyMask` covers B × (P + T) keys. Also returns `x`'s own rotated keys
    /// and values (what a later call's prefix is made of).
    func forward(_ x: Tensor, positions: [Int], keyMask: [Bool]?, after prefix: LayerKeyValues?)
        -> (output: Tensor, keyValues: LayerKeyValues) {
        let c = config
        let h = x.rmsNorm(weight: attentionNorm, eps: c.rmsNormEpsilon)
        let (query, key, value) = queryKeyValue(h, positions: positions)
        let own = LayerKeyValues(keys: key, values: value)
        let keys = prefix.map { Tensor.concat([$0.keys, own.keys], axis: 1) } ?? own.keys
        let values = prefix.map { Tensor.concat([$0.values, own.values], axis: 1) } ?? own.values
        let attended = Tensor.causalSelfAttention(query: query, key: keys, value: values, heads: c.heads, groups: c.groups, keyMask: keyMask)
        let x = x + o(attended)
        return (x + feedForward(x), own)
    }

    /// down(silu(gate(h)) ⊙ up(h)) for h = RMSNorm(x).
    func feedForward(_ x: Tensor) -> Tensor {
        let h = x.rmsNorm(weight: feedForwardNorm, eps: config.rmsNormEpsilon)
        return down(gate(h).silu() * up(h))
    }
}

/// One layer's rotated keys and values of a run of tokens, `[B, T, kvDim]` each: the key/value
/// heads, which attention reads for every query head of their group without copying them.
struct LayerKeyValues {
    let keys: Tensor
    let values: Tensor
}
