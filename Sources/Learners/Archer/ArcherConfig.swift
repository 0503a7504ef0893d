/// ArCHer hyperparameters (Zhou et al. 2024, "ArCHer: Training Language Model Agents via
/// Hierarchical Multi-Turn RL", arXiv 2402.19446, and its reference code
/// github.com/YifeiZhou02/ArCHer, `archer/algorithms/archer/trainer.py`).
public struct ArcherConfig: Sendable, Equatable, Codable {
    /// Discount between utterances. 0.95: issue #8 (the paper uses 0.9–0.95 per task).
    public var gamma: Float = 0.95
    /// Polyak rate of the target critic after every critic step: 0.1, the reference trainer's default.
    public var tau: Float = 0.1
    /// Critic AdamW rate: 1e-3, the reference trainer's `critic_lr`.
    public var criticLearningRate: Float = 1e-3
    /// Actor AdamW rate: 3e-5. The reference uses 1e-5 for 100M+ models; the feasibility
    /// run found 1e-4 hurt a 2-layer d128 policy and recommends starting near 3e-5.
    public var actorLearningRate: Float = 3e-5
    /// Critic steps per iteration, each followed by a target update. The reference runs many
    /// critic epochs per actor epoch (`epochs` ≫ `actor_epochs`); 4 : 1 fits a CPU budget.
    public var criticStepsPerIteration: Int = 4
    /// Passes of an iteration's critic steps over the transitions and fresh replies a′ they
    /// drew. 1 is the reference trainer: every step draws a new batch and new a′. Each further
    /// pass reshuffles the same (s, a, r, s′, a′) into new minibatches and steps again. On a
    /// CPU, sampling a′ from a 135M policy is most of a critic step's time (20–35 s per batch of
    /// 16 against ~2 s for a step on reused a′, guess-country with SmolLM2); π does not change
    /// during the critic phase, so the reused a′ are still samples of π(·|s). It lets the critic's targets propagate back through ~16-turn
    /// episodes (guess-country), which a few target-lagged steps per iteration cannot follow.
    public var criticPassesPerIteration: Int = 1
    /// Actor steps per iteration (after warm-up).
    public var actorStepsPerIteration: Int = 1
    /// Iterations that train only the critic (the reference's `warmup_iter`), so the actor's
    /// first advantages come from a critic that has seen data.
    public var warmupIterations: Int = 4
    /// Transitions per critic or actor minibatch (TurnRL's CPU choice).
    public var batchSize: Int = 16
    /// Episodes collected per iteration with the current policy (temperature 1).
    public var episodesPerIteration: Int = 16
    /// Replay capacity in transitions (the reference keeps 100k; a CPU run never fills 10k).
    public var replayCapacity: Int = 10_000
    /// Global gradient-norm clip for both optimizers. The reference clips at 0.01, which under
    /// Adam's scale invariance mostly just caps outliers; 1.0 is the GPT-2 convention used here.
    public var maxGradNorm: Float = 1.0
    /// β of a k3 KL penalty to the reference policy (the policy RL starts from, usually the BC
    /// clone) on every token of the actor's utterances: Schulman's estimator, as GRPO and PPO
    /// use it (`GRPOHyperparameters.klCoefficient`). 0 = off, as in the reference trainer and
    /// issue #8. It anchors the actor where the critic is wrong: with V above Q every
    /// advantage is negative, and REINFORCE then pushes probability onto utterances nobody
    /// sampled.
    public var klCoefficient: Float = 0
    /// Issue #8's optional token-level baseline variant: a value network over the policy's own
    /// tokens (a copy of the GPT-2 trunk with a value head, like PPO's critic) learns to predict,
    /// before each token of a fresh utterance, the critic's min(Q₁,Q₂)(s,a); token t then gets
    /// the advantage min(Q₁,Q₂)(s,a) − b(s, a_<t) instead of the utterance's
    /// min(Q₁,Q₂)(s,a) − min(V₁,V₂)(s). b depends only on the tokens before t, so the gradient
    /// stays unbiased, and tokens after which the utterance's fate was already sealed get
    /// little credit. Off by default (the reference trainer's actor). Byte-level GPT-2 only.
    public var tokenBaseline = false
    /// AdamW rate of the token-level baseline: PPO's value rate here (`PPOHyperparameters`).
    public var tokenBaselineLearningRate: Float = 3e-4
    /// Width of the critic's Q and V heads (PolicyModels.ArcherCriticConfig default).
    public var criticHeadHiddenSize: Int = 256
    /// The critic's encoder: 2 layers, d_model 128, 4 heads (PolicyModels.ArcherCriticConfig
    /// default, a scaled-down stand-in for the paper's RoBERTa-base).
    public var criticLayers: Int = 2
    public var criticDModel: Int = 128
    public var criticHeads: Int = 4

    public init() {}
}
