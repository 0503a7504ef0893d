/// Every number turn-level GRPO uses, with where its default comes from.
public struct GRPOHyperparameters: Sendable, Equatable, Codable {
    /// Episodes per task in one update (GiGPO's experiments and verl-agent's default: groups of 8).
    public var groupSize: Int = 8
    /// Adam learning rate. The PyTorch feasibility run on the same small policy found
    /// 1e-4 first destroyed greedy copying and advised starting near 3e-5.
    public var learningRate: Float = 3e-5
    /// AdamW weight decay; 0 as in DAPO's and Dr. GRPO's RL recipes (no decay during RL).
    public var weightDecay: Float = 0
    /// Global gradient-norm clip (GiGPO / verl-agent `max_grad_norm` 1.0).
    public var maxGradNorm: Float = 1
    /// ω, the weight of the step-level (anchor-group) advantage: GiGPO uses 1.
    public var stepAdvantageWeight: Float = 1
    /// γ for the discounted returns-to-go of anchor groups: GiGPO (verl-agent) uses 0.95.
    public var gamma: Float = 0.95
    /// Divide group advantages by their standard deviation (vanilla GRPO). Off: Dr. GRPO.
    public var scaleAdvantagesByStd: Bool = false
    /// ε_low of the clipped ratio, r ≥ 1 − ε_low for negative advantages (PPO / DAPO: 0.2).
    public var clipLow: Float = 0.2
    /// ε_high of the clipped ratio, r ≤ 1 + ε_high for positive advantages (DAPO
    /// "clip-higher": 0.28, so unlikely tokens can still gain probability).
    public var clipHigh: Float = 0.28
    /// Dr. GRPO's constant token normaliser: each turn's summed token loss is divided by this
    /// fixed budget instead of its own length (Dr. GRPO; their code uses the generation
    /// budget). 96 is the rollout worker's default per-turn cap (`RolloutSettings`); a run with
    /// another cap should pass its own.
    public var tokenNormaliser: Float = 96
    /// DASH-style filtering: turns with |A| below this are dropped before the forward pass (they
    /// would contribute no gradient worth its compute). `nil` keeps every turn.
    public var minimumAbsoluteAdvantage: Float? = nil
    /// β of the k3 KL penalty to the reference policy (Schulman's k3 estimator, as in GRPO,
    /// Shao et al. 2024, arXiv 2402.03300). 0 = off, as DAPO and Dr. GRPO drop it.
    public var klCoefficient: Float = 0
    /// Passes over each batch of turns (1 = on-policy; the ratio is then 1 and clipping acts
    /// only from the second minibatch step on).
    public var epochs: Int = 1
    /// Turns per optimizer step.
    public var miniBatchSize: Int = 16

    public init() {}
}
