import PolicyModels
import TensorCore

/// Token-level PPO (Schulman et al. 2017, arXiv 1707.06347) with a token-level critic and GAE
/// over turns, the classic baseline for multi-turn agents.
///
/// One `update` takes finished episodes and:
/// 1. scores every turn once without autograd: π_old's log-probs and the critic's V per token
///    (and π_ref's log-probs when a KL coefficient is set);
/// 2. runs `TurnGAE` per episode: per-token advantages and value targets;
/// 3. whitens the advantages over the batch's tokens (optional);
/// 4. for each epoch, for each shuffled minibatch of turns, minimises the token-mean of
///    −min(ρA, clip(ρ, 1±ε)A) (+ β·KL_k3 − c_H·entropy) for the policy and the clipped value
///    loss ½·max((V − G)², (V_old + clip(V − V_old, ±ε_v) − G)²) for the critic.
public final class PPOLearner {
    public let policy: any ScoringPolicy
    public let critic: TokenCritic
    /// The frozen reference for the KL term (used only when `klCoefficient` > 0).
    public let reference: (any ScoringPolicy)?
    public let hyperparameters: PPOHyperparameters
    let policyOptimizer: AdamW
    let criticOptimizer: AdamW
    /// Shuffles minibatches; seeded so an update is reproducible.
    var rng: SeededRNG

    /// A learner that trains `policy` and `critic` in place with AdamW.
    public init(scoring policy: any ScoringPolicy, critic: TokenCritic, hyperparameters: PPOHyperparameters = PPOHyperparameters(),
                reference: (any ScoringPolicy)? = nil, seed: UInt64 = 0) throws(PolicyGradientError) {
        let h = hyperparameters
        if h.klCoefficient > 0 && reference == nil {
            throw .invalidHyperparameter("klCoefficient \(h.klCoefficient) needs a reference policy; pass one or set it to 0")
        }
        guard h.clipRange > 0, h.clipRange < 1, h.valueClipRange > 0 else {
            throw .invalidHyperparameter("clipRange must be in (0, 1) and valueClipRange positive (got \(h.clipRange), \(h.valueClipRange))")
        }
        guard h.epochs >= 1, h.miniBatchSize >= 1, (0...1).contains(h.gamma), (0...1).contains(h.lambda) else {
            throw .invalidHyperparameter("epochs and miniBatchSize must be positive, gamma and lambda in [0, 1]")
        }
        self.policy = policy
        self.critic = critic
        self.reference = reference
        self.hyperparameters = h
        policyOptimizer = AdamW(parameters: policy.parameters, config: AdamWConfig(learningRate: h.learningRate, weightDecay: h.weightDecay))
        criticOptimizer = AdamW(parameters: critic.parameters, config: AdamWConfig(learningRate: h.criticLearningRate, weightDecay: h.weightDecay))
        rng = SeededRNG(seed: seed)
    }

    /// One trainable turn with everything the minibatch steps need.
    struct Sample {
        var turn: TurnSample
        var oldLogProbs: [Float]
        var oldValues: [Float]
        var advantages: [Float]
        var returns: [Float]
        var referenceLogProbs: [Float] = []
    }

    /// Scores the turns, runs GAE per episode, whitens: the samples of one update.
    func samples(from episodes: [EpisodeSample]) throws -> (samples: [Sample], dropped: Int, advantageMean: Float) {
        let h = hyperparameters
        let turns = episodes.flatMap(\.turns).filter { !$0.utterance.isEmpty }
        let contexts = turns.map(\.context), utterances = turns.map(\.utterance)
        let oldLogProbs = try policy.detachedLogProbs(contexts: contexts, continuations: utterances, batchSize: h.miniBatchSize)
        let oldValues = try critic.detachedValues(contexts: contexts, continuations: utterances, batchSize: h.miniBatchSize)
        let referenceLogProbs = h.klCoefficient > 0
            ? try reference!.detachedLogProbs(contexts: contexts, continuations: utterances, batchSize: h.miniBatchSize) : []

        var samples: [Sample] = []
        var next = 0  // index into the scored (non-empty) turns
        for episode in episodes {
            // Each turn's row among the scored turns (nil for an empty utterance).
            var rows: [Int?] = []
            for turn in episode.turns {
                rows.append(turn.utterance.isEmpty ? nil : next)
                if !turn.utterance.isEmpty { next += 1 }
            }
            let (advantages, returns) = TurnGAE.estimate(
                rewards: episode.turns.map(\.reward), values: rows.map { $0.map { oldValues[$0] } ?? [] },
                gamma: h.gamma, lambda: h.lambda)
            for (k, row) in rows.enumerated() {
                guard let i = row else { continue }
                samples.append(Sample(turn: episode.turns[k], oldLogProbs: oldLogProbs[i], oldValues: oldValues[i],
                                      advantages: advantages[k], returns: returns[k],
                                      referenceLogProbs: referenceLogProbs.isEmpty ? [] : referenceLogProbs[i]))
            }
        }
        let all = samples.flatMap(\.advantages)
        let mean = all.isEmpty ? 0 : all.reduce(0, +) / Float(all.count)
        if h.whitenAdvantages && all.count > 1 {
            let std = (all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(all.count)).squareRoot()
            // A batch whose advantages are (numerically) all equal carries no signal: dividing
            // by its std would blow rounding noise up to unit scale, so it is only centred.
            let scale = std > 1e-6 ? 1 / std : 1
            for i in samples.indices { samples[i].advantages = samples[i].advantages.map { ($0 - mean) * scale } }
        }
        return (samples, episodes.reduce(0) { $0 + $1.turns.count } - samples.count, mean)
    }

    /// Trains on `episodes` and reports what happened.
    public func update(episodes: [EpisodeSample]) throws -> PolicyGradientMetrics {
        let h = hyperparameters
        let (samples, dropped, advantageMean) = try samples(from: episodes)
        var metrics = PolicyGradientMetrics()
        metrics.droppedTurns = dropped
        metrics.trainedTurns = samples.count
        metrics.advantageMean = advantageMean
        metrics.trainedTokens = samples.reduce(0) { $0 + $1.turn.utterance.count }
        guard !samples.isEmpty else { return metrics }
        let useKL = h.klCoefficient > 0

        var sums = (policy: Float(0), value: Float(0), entropy: Float(0), kl: Float(0), clipped: Float(0), tokens: 0)
        for _ in 0..<h.epochs {
            let order = samples.indices.shuffled(using: &rng)
            for range in batches(of: order.count, size: h.miniBatchSize) {
                let chunk = order[range].map { samples[$0] }
                let contexts = chunk.map(\.turn.context), utterances = chunk.map(\.turn.utterance)
                let scores = try policy.continuationScores(contexts: contexts, continuations: utterances)
                let layout = scores.layout
                let mask = layout.maskTensor
                let tokens = Float(layout.tokenCount)

                // Policy: token-mean clipped surrogate (symmetric ε), optional KL and entropy terms.
                let oldLogProbs = layout.aligned(chunk.map(\.oldLogProbs))
                var objective = PolicyGradientLoss.clippedSurrogate(
                    logProbs: scores.logProbs, oldLogProbs: oldLogProbs, advantages: layout.aligned(chunk.map(\.advantages)),
                    clipLow: h.clipRange, clipHigh: h.clipRange)
                if h.entropyCoefficient > 0 { objective = objective + h.entropyCoefficient * scores.entropy }
                if useKL {
                    let kl = PolicyGradientLoss.k3KL(logProbs: scores.logProbs, referenceLogProbs: layout.aligned(chunk.map(\.referenceLogProbs)))
                    sums.kl += noGrad { (kl * mask).sum().item }
                    objective = objective - h.klCoefficient * kl
                }
                let policyLoss = -(objective * mask).sum() / tokens

                // Critic: clipped value loss around the values the batch was scored with.
                let (values, _) = try critic.values(contexts: contexts, continuations: utterances)
                let oldValues = layout.aligned(chunk.map(\.oldValues)), returns = layout.aligned(chunk.map(\.returns))
                let clippedValues = oldValues + (values - oldValues).clamped(min: -h.valueClipRange, max: h.valueClipRange)
                let valueError = Tensor.maximum((values - returns).square(), (clippedValues - returns).square())
                let valueLoss = 0.5 * (valueError * mask).sum() / tokens

                policyOptimizer.zeroGrad()
                criticOptimizer.zeroGrad()
                (policyLoss + valueLoss).backward()  // disjoint networks: each gets its own gradient
                clipGradNorm(policy.parameters, maxNorm: h.maxGradNorm)
                clipGradNorm(critic.parameters, maxNorm: h.maxGradNorm)
                policyOptimizer.step()
                criticOptimizer.step()

                sums.policy += policyLoss.item
                sums.value += valueLoss.item
                sums.entropy += noGrad { scores.entropy.sum().item }
                sums.clipped += PolicyGradientLoss.clipFraction(
                    logProbs: scores.logProbs.toArray(), oldLogProbs: oldLogProbs.toArray(), mask: scores.mask,
                    clipLow: h.clipRange, clipHigh: h.clipRange) * tokens
                sums.tokens += layout.tokenCount
                metrics.optimizerSteps += 1
            }
        }
        let tokens = Float(max(sums.tokens, 1)), steps = Float(metrics.optimizerSteps)
        metrics.policyLoss = sums.policy / steps
        metrics.valueLoss = sums.value / steps
        metrics.entropy = sums.entropy / tokens
        metrics.clipFraction = sums.clipped / tokens
        if useKL { metrics.klToReference = sums.kl / tokens }
        return metrics
    }
}
