/// Every number token-level PPO uses, with where its default comes from.
public struct PPOHyperparameters: Sendable, Equatable, Codable {
    /// Adam learning rate of the policy (the feasibility run: start near 3e-5).
    public var learningRate: Float = 3e-5
    /// Adam learning rate of the critic. The value head starts from scratch and needs larger
    /// steps than the policy; OpenRLHF's PPO defaults also give the critic ~10× the actor's rate.
    public var criticLearningRate: Float = 3e-4
    /// AdamW weight decay (0: no decay during RL, as in CleanRL's PPO, which uses plain Adam).
    public var weightDecay: Float = 0
    /// Per-network gradient-norm clip (CleanRL `ppo.py` `max_grad_norm` 0.5).
    public var maxGradNorm: Float = 0.5
    /// γ between turns (the PPO paper's hyperparameter tables, Schulman et al. 2017: 0.99).
    public var gamma: Float = 0.99
    /// GAE λ between turns (the PPO paper: 0.95).
    public var lambda: Float = 0.95
    /// ε of the clipped ratio, both sides (the PPO paper: 0.2).
    public var clipRange: Float = 0.2
    /// ε of the clipped value loss around the old value (OpenAI baselines ppo2: same as clipRange).
    public var valueClipRange: Float = 0.2
    /// Entropy bonus (0, as in RLHF-style PPO for language models; CleanRL's Atari 0.01).
    public var entropyCoefficient: Float = 0
    /// β of the k3 KL penalty to the reference policy; 0 = off (the default).
    public var klCoefficient: Float = 0
    /// Normalise advantages over the batch's tokens (CleanRL `norm_adv` True).
    public var whitenAdvantages: Bool = true
    /// Passes over each batch (CleanRL `update_epochs` 4).
    public var epochs: Int = 4
    /// Turns per optimizer step.
    public var miniBatchSize: Int = 16

    public init() {}
}
