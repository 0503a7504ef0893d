import PolicyModels
import TensorCore

/// Turn-level GRPO with GiGPO step groups, Dr. GRPO normalisation and clip-higher.
///
/// One `update` takes groups of finished episodes — each group is several episodes of the same
/// task — and:
/// 1. gives every turn A = A^E + ω·A^S (`GroupAdvantages.combined`), the same for all its tokens;
/// 2. drops turns with empty utterances and, with DASH filtering on, turns with |A| below the
///    threshold;
/// 3. scores the kept turns once without autograd: those log-probs are π_old (and π_ref's when a
///    KL coefficient is set);
/// 4. for each epoch, for each shuffled minibatch, minimises
///    −Σ_tokens [min(ρA, clip(ρ, 1−ε_low, 1+ε_high)A) − β·KL_k3] / (B · L_norm)
///    with L_norm a constant (Dr. GRPO: no per-sequence length normalisation).
public final class GRPOLearner {
    public let policy: any ScoringPolicy
    /// The frozen reference for the KL term (used only when `klCoefficient` > 0).
    public let reference: (any ScoringPolicy)?
    public let hyperparameters: GRPOHyperparameters
    let optimizer: AdamW
    /// Shuffles minibatches; seeded so an update is reproducible.
    var rng: SeededRNG

    /// A learner that trains `policy` in place with AdamW.
    public init(scoring policy: any ScoringPolicy, hyperparameters: GRPOHyperparameters = GRPOHyperparameters(),
                reference: (any ScoringPolicy)? = nil, seed: UInt64 = 0) throws(PolicyGradientError) {
        if hyperparameters.klCoefficient > 0 && reference == nil {
            throw .invalidHyperparameter("klCoefficient \(hyperparameters.klCoefficient) needs a reference policy; pass one or set it to 0")
        }
        guard hyperparameters.clipLow > 0, hyperparameters.clipLow < 1, hyperparameters.clipHigh > 0 else {
            throw .invalidHyperparameter("clip ranges must satisfy 0 < clipLow < 1 and clipHigh > 0 (got \(hyperparameters.clipLow), \(hyperparameters.clipHigh))")
        }
        guard hyperparameters.epochs >= 1, hyperparameters.miniBatchSize >= 1, hyperparameters.tokenNormaliser > 0,
              hyperparameters.groupSize >= 2 else {
            throw .invalidHyperparameter("epochs, miniBatchSize and tokenNormaliser must be positive and groupSize at least 2")
        }
        self.policy = policy
        self.reference = reference
        self.hyperparameters = hyperparameters
        optimizer = AdamW(parameters: policy.parameters,
                          config: AdamWConfig(learningRate: hyperparameters.learningRate, weightDecay: hyperparameters.weightDecay))
        rng = SeededRNG(seed: seed)
    }

    /// One turn to train on, with its advantage.
    struct Sample {
        var turn: TurnSample
        var advantage: Float
    }

    /// The turns of `groups` with their advantages, after dropping what carries no signal.
    func samples(from groups: [[EpisodeSample]]) -> (kept: [Sample], dropped: Int) {
        let h = hyperparameters
        var all: [Sample] = []
        for group in groups {
            let advantages = GroupAdvantages.combined(group, stepWeight: h.stepAdvantageWeight, gamma: h.gamma,
                                                      scaleByStd: h.scaleAdvantagesByStd)
            for (episode, perTurn) in zip(group, advantages) {
                all += zip(episode.turns, perTurn).map { Sample(turn: $0, advantage: $1) }
            }
        }
        let kept = all.filter { sample in
            guard !sample.turn.utterance.isEmpty else { return false }
            guard let threshold = h.minimumAbsoluteAdvantage else { return true }
            return abs(sample.advantage) >= threshold
        }
        return (kept, all.count - kept.count)
    }

    /// Trains on `groups` (each: episodes of one task) and reports what happened.
    public func update(groups: [[EpisodeSample]]) throws -> PolicyGradientMetrics {
        let h = hyperparameters
        let (samples, dropped) = samples(from: groups)
        var metrics = PolicyGradientMetrics()
        metrics.droppedTurns = dropped
        metrics.trainedTurns = samples.count
        guard !samples.isEmpty else { return metrics }
        metrics.advantageMean = samples.reduce(0) { $0 + $1.advantage } / Float(samples.count)
        metrics.trainedTokens = samples.reduce(0) { $0 + $1.turn.utterance.count }

        let contexts = samples.map(\.turn.context), utterances = samples.map(\.turn.utterance)
        let old = try policy.detachedLogProbs(contexts: contexts, continuations: utterances, batchSize: h.miniBatchSize)
        let useKL = h.klCoefficient > 0
        let referenceLogProbs = try useKL
            ? reference!.detachedLogProbs(contexts: contexts, continuations: utterances, batchSize: h.miniBatchSize) : []

        let lengths = samples.map { $0.turn.context.count + $0.turn.utterance.count }
        var sums = (loss: Float(0), entropy: Float(0), kl: Float(0), clipped: Float(0), tokens: 0)
        for _ in 0..<h.epochs {
            let order = samples.indices.shuffled(using: &rng)
            for range in batches(of: order.count, size: h.miniBatchSize) {
                let chunk = Array(order[range])
                optimizer.zeroGrad()
                // Gradients accumulate over micro-batches that fit the policy's activation budget;
                // every micro-batch's loss is normalised by the whole minibatch, so their sum is
                // the minibatch's loss. Longest first, so a micro-batch pads rows of similar length.
                for micro in accumulationMicroBatches(chunk, lengths: lengths, tokenBudget: policy.tokensPerForward) {
                    let scores = try policy.continuationScores(contexts: micro.map { contexts[$0] },
                                                               continuations: micro.map { utterances[$0] })
                    let layout = scores.layout
                    let oldLogProbs = layout.aligned(micro.map { old[$0] })
                    var objective = PolicyGradientLoss.clippedSurrogate(
                        logProbs: scores.logProbs, oldLogProbs: oldLogProbs,
                        advantages: layout.aligned(perContinuation: micro.map { samples[$0].advantage }),
                        clipLow: h.clipLow, clipHigh: h.clipHigh)
                    if useKL {
                        let kl = PolicyGradientLoss.k3KL(logProbs: scores.logProbs,
                                                         referenceLogProbs: layout.aligned(micro.map { referenceLogProbs[$0] }))
                        sums.kl += noGrad { (kl * scores.maskTensor).sum().item }
                        objective = objective - h.klCoefficient * kl
                    }
                    let loss = -(objective * scores.maskTensor).sum() / (Float(chunk.count) * h.tokenNormaliser)
                    loss.backward()

                    sums.loss += loss.item
                    sums.entropy += noGrad { scores.entropy.sum().item }
                    sums.clipped += PolicyGradientLoss.clipFraction(
                        logProbs: scores.logProbs.toArray(), oldLogProbs: oldLogProbs.toArray(), mask: scores.mask,
                        clipLow: h.clipLow, clipHigh: h.clipHigh) * Float(layout.tokenCount)
                    sums.tokens += layout.tokenCount
                }
                clipGradNorm(policy.parameters, maxNorm: h.maxGradNorm)
                optimizer.step()
                metrics.optimizerSteps += 1
            }
        }
        let tokens = Float(max(sums.tokens, 1))
        metrics.policyLoss = sums.loss / Float(metrics.optimizerSteps)
        metrics.entropy = sums.entropy / tokens
        metrics.clipFraction = sums.clipped / tokens
        if useKL { metrics.klToReference = sums.kl / tokens }
        return metrics
    }
}
