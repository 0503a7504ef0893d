import TensorCore

/// A scalar value head on the policy's trunk: V = w·h + b for every final hidden state h.
/// Parameters use TRL's `AutoModelForCausalLMWithValueHead` names and `nn.Linear` layout
/// (`v_head.summary.weight` `[1, D]`, `v_head.summary.bias` `[1]`).
public final class ScalarValueHead: @unchecked Sendable {
    public let weight: Tensor
    public let bias: Tensor

    /// N(0, 0.1/√D) weights and a zero bias, so initial values start near 0 and early
    /// advantages are not dominated by an untrained head (TRL keeps PyTorch's `nn.Linear` init).
    public init(dModel: Int, rng: inout SeededRNG) {
        weight = .randn([1, dModel], std: 0.1 / Float(dModel).squareRoot(), rng: &rng, requiresGrad: true)
        bias = .zeros([1], requiresGrad: true)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("v_head.summary.weight", weight), ("v_head.summary.bias", bias)]
    }

    /// Values `[B, T]` for hidden states `[B, T, D]`.
    public func callAsFunction(_ hidden: Tensor) -> Tensor {
        let v = Tensor.linear(hidden, weight: weight, bias: bias, transposedWeight: true)
        return v.reshaped(Array(hidden.shape.dropLast()))
    }
}

/// The policy and a scalar value head sharing one trunk pass (the PPO actor-critic layout).
public final class PolicyWithValueHead: @unchecked Sendable {
    public let policy: GPT2Model
    public let valueHead: ScalarValueHead

    public init(policy: GPT2Model, rng: inout SeededRNG) {
        self.policy = policy
        valueHead = ScalarValueHead(dModel: policy.config.dModel, rng: &rng)
    }

    /// Policy parameters followed by the head's, under their HF/TRL names.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        policy.namedParameters + valueHead.namedParameters
    }

    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Next-token logits `[B, T, vocab]` and values `[B, T]` from one trunk pass.
    public func callAsFunction(_ batch: TokenBatch) throws(PolicyModelsError) -> (logits: Tensor, values: Tensor) {
        let hidden = try policy.hiddenStates(batch)
        return (policy.logits(fromHidden: hidden), valueHead(hidden))
    }
}
