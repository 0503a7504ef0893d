import TensorCore

/// One pre-LN transformer block with HuggingFace GPT-2's parameters and layout:
/// x + attn(ln_1(x)), then + mlp(ln_2(x)); `c_attn`, `c_proj`, `c_fc` are `Conv1D`
/// weights stored `[in, out]`, and `c_attn`'s output columns are q | k | v.
public final class GPT2Block: @unchecked Sendable {
    public let ln1Weight: Tensor, ln1Bias: Tensor
    public let attnWeight: Tensor, attnBias: Tensor
    public let attnProjWeight: Tensor, attnProjBias: Tensor
    public let ln2Weight: Tensor, ln2Bias: Tensor
    public let fcWeight: Tensor, fcBias: Tensor
    public let mlpProjWeight: Tensor, mlpProjBias: Tensor
    let config: GPT2Config

    /// GPT-2 initialisation (Radford et al. 2019, §2.3; HF `_init_weights`): N(0, 0.02) weights,
    /// zero biases, unit layer-norm gains, and the two residual projections scaled by 1/√(2·layers).
    init(config: GPT2Config, rng: inout SeededRNG) {
        let d = config.dModel, inner = config.innerSize
        let std: Float = 0.02, residualStd = 0.02 / Float(2 * config.layers).squareRoot()
        self.config = config
        ln1Weight = .ones([d], requiresGrad: true); ln1Bias = .zeros([d], requiresGrad: true)
        attnWeight = .randn([d, 3 * d], std: std, rng: &rng, requiresGrad: true)
        attnBias = .zeros([3 * d], requiresGrad: true)
        attnProjWeight = .randn([d, d], std: residualStd, rng: &rng, requiresGrad: true)
        attnProjBias = .zeros([d], requiresGrad: true)
        ln2Weight = .ones([d], requiresGrad: true); ln2Bias = .zeros([d], requiresGrad: true)
        fcWeight = .randn([d, inner], std: std, rng: &rng, requiresGrad: true)
        fcBias = .zeros([inner], requiresGrad: true)
        mlpProjWeight = .randn([inner, d], std: residualStd, rng: &rng, requiresGrad: true)
        mlpProjBias = .zeros([d], requiresGrad: true)
    }

    /// Parameters under their HF names relative to the block (`ln_1.weight`, …).
    var namedParameters: [(String, Tensor)] {
        [("ln_1.weight", ln1Weight), ("ln_1.bias", ln1Bias),
         ("attn.c_attn.weight", attnWeight), ("attn.c_attn.bias", attnBias),
         ("attn.c_proj.weight", attnProjWeight), ("attn.c_proj.bias", attnProjBias),
         ("ln_2.weight", ln2Weight), ("ln_2.bias", ln2Bias),
         ("mlp.c_fc.weight", fcWeight), ("mlp.c_fc.bias", fcBias),
         ("mlp.c_proj.weight", mlpProjWeight), ("mlp.c_proj.bias", mlpProjBias)]
    }

    /// The block over a whole sequence: `x` is `[B, T, D]`, `keyMask` flags real tokens.
    func callAsFunction(_ x: Tensor, keyMask: [Bool]?) -> Tensor {
        let h = x.layerNorm(weight: ln1Weight, bias: ln1Bias, eps: config.layerNormEpsilon)
        let qkv = Tensor.linear(h, weight: attnWeight, bias: attnBias)
        let attended = Tensor.causalSelfAttention(qkv: qkv, heads: config.heads, keyMask: keyMask)
        let x = x + Tensor.linear(attended, weight: attnProjWeight, bias: attnProjBias)
        return x + mlp(x)
    }

    /// The feed-forward half: c_proj(gelu_new(c_fc(ln_2(x)))).
    func mlp(_ x: Tensor) -> Tensor {
        let h = x.layerNorm(weight: ln2Weight, bias: ln2Bias, eps: config.layerNormEpsilon)
        let hidden = Tensor.linear(h, weight: fcWeight, bias: fcBias).gelu()
        return Tensor.linear(hidden, weight: mlpProjWeight, bias: mlpProjBias)
    }

    /// The block for `n` new tokens per row with a KV cache (no autograd): writes the new keys
    /// and values at cache positions `cacheStart..<cacheStart+n`, attends over the first
    /// `cacheStart + n` cache entries.
    func step(_ x: Tensor, cache: LayerCache, cacheStart: Int, keyMask: [Bool]?) -> Tensor {
        let d = config.dModel
        let h = x.layerNorm(weight: ln1Weight, bias: ln1Bias, eps: config.layerNormEpsilon)
        let qkv = Tensor.linear(h, weight: attnWeight, bias: attnBias)
        let (b, n) = (x.shape[0], x.shape[1])
        let query = Tensor.zeros([b, n, d])  // filled below from qkv's first D columns
        qkv.withUnsafeBufferPointer { src in
            query.withUnsafeMutableBufferPointer { q in
                cache.keys.withUnsafeMutableBufferPointer { k in
                    cache.values.withUnsafeMutableBufferPointer { v in
                        for row in 0..<b {
                            for t in 0..<n {
                                let from = (row * n + t) * 3 * d
                                let to = (row * cache.capacity + cacheStart + t) * d
                                let qTo = (row * n + t) * d
                                let s = src.baseAddress! + from
                                (q.baseAddress! + qTo).update(from: s, count: d)
                                (k.baseAddress! + to).update(from: s + d, count: d)
                                (v.baseAddress! + to).update(from: s + 2 * d, count: d)
                            }
                        }
                    }
                }
            }
        }
        let attended = Tensor.causalSelfAttention(query: query, key: cache.keys, value: cache.values,
                                                  heads: config.heads, keyLength: cacheStart + n, keyMask: keyMask)
        let x = x + Tensor.linear(attended, weight: attnProjWeight, bias: attnProjBias)
        return x + mlp(x)
    }
}
