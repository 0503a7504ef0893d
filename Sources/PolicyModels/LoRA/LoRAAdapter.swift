import TensorCore

/// The linear maps of a Llama layer a LoRA adapter can target, under PEFT's module names.
public enum LoRATarget: String, Sendable, CaseIterable, Codable {
    case qProj = "q_proj", kProj = "k_proj", vProj = "v_proj", oProj = "o_proj"
    case gateProj = "gate_proj", upProj = "up_proj", downProj = "down_proj"

    /// The PEFT module path inside a layer (`self_attn.q_proj`, `mlp.up_proj`).
    public var modulePath: String {
        switch self {
        case .qProj, .kProj, .vProj, .oProj: return "self_attn.\(rawValue)"
        case .gateProj, .upProj, .downProj: return "mlp.\(rawValue)"
        }
    }
}

/// LoRA's settings (Hu et al., 2021): rank r, scale alpha / r, and which projections get one.
public struct LoRAConfig: Sendable, Equatable, Codable {
    public var rank: Int
    public var alpha: Float
    public var targets: [LoRATarget]

    /// Rank 16, alpha 32, every projection of every layer (≈ 4.9 M parameters on SmolLM2-135M).
    public init(rank: Int = 16, alpha: Float = 32, targets: [LoRATarget] = LoRATarget.allCases) {
        self.rank = rank
        self.alpha = alpha
        self.targets = targets
    }

    public var scale: Float { alpha / Float(rank) }
}

/// A low-rank update ΔW = scale · B·A of one `[out, in]` weight: `A` is `[r, in]`, `B` is
/// `[out, r]`, both trainable. PEFT's initialisation: A Kaiming-uniform (bound 1/√in), B zero,
/// so a fresh adapter leaves the model unchanged.
public final class LoRAAdapter: @unchecked Sendable {
    public let a: Tensor
    public let b: Tensor
    public let scale: Float

    public init(inFeatures: Int, outFeatures: Int, rank: Int, alpha: Float, rng: inout SeededRNG) {
        let bound = 1 / Float(inFeatures).squareRoot()
        a = .uniform([rank, inFeatures], low: -bound, high: bound, rng: &rng, requiresGrad: true)
        b = .zeros([outFeatures, rank], requiresGrad: true)
        scale = alpha / Float(rank)
    }

    /// An adapter with given factors (loading a saved one).
    public init(a: Tensor, b: Tensor, scale: Float) {
        a.requiresGrad = true
        b.requiresGrad = true
        self.a = a
        self.b = b
        self.scale = scale
    }

    /// scale · x·Aᵀ·Bᵀ for `x` `[..., in]`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let down = Tensor.linear(x, weight: a, transposedWeight: true)
        return Tensor.linear(down, weight: b, transposedWeight: true) * scale
    }
}
