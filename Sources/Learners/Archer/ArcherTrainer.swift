import Foundation
import PolicyModels
import TensorCore
import Trajectories

/// Statistics of one ArCHer critic step.
public struct ArcherCriticStats: Sendable, Equatable {
    /// Σ_k MSE(Q_k, r + γ(1−done)V̄_k(s′)) + MSE(V_k, Q̄_k(s, a′)).
    public var loss: Float
    public var meanQ: Float
    public var meanV: Float
    /// Tokens the critic encoded in the step (states, actions, next states, fresh actions).
    public var tokens: Int = 0
    /// Critic updates these statistics cover (1 for a step; see `ArcherTrainer.criticPhase`).
    public var steps: Int = 1
}

/// Statistics of one ArCHer actor step.
public struct ArcherActorStats: Sendable, Equatable {
    /// −mean over utterances of A · Σ_t log π(a_t | s, a_<t).
    public var loss: Float
    public var advantageMean: Float
    /// Mean per-token entropy of the policy on the sampled utterances.
    public var entropy: Float
    /// Tokens through the policy's forward and backward pass (contexts + utterances).
    public var tokens: Int = 0
    /// Mean per-token k3 KL to the reference policy, when `ArcherConfig.klCoefficient` > 0.
    public var klToReference: Float? = nil
}

/// ArCHer (Zhou et al. 2024), as in its reference trainer: an utterance-level off-policy critic
/// and a token-level REINFORCE actor.
///
/// Critic (`PolicyModels.ArcherCritic`: two Q and two V heads over mean-pooled encodings of the
/// context and the utterance), for transitions (s, a, r, s′, done) from the replay buffer and a′
/// freshly sampled from π(·|s):
///   L = Σ_k (Q_k(s,a) − (r + γ(1−done)·V̄_k(s′)))² + (V_k(s) − Q̄_k(s,a′))²
/// (means over the batch), bars = the target critic, soft-updated θ̄ ← τθ + (1−τ)θ̄ after every
/// critic step. Actor: for states from the buffer and a ~ π(·|s) sampled fresh, the advantage
/// A = min(Q₁,Q₂)(s,a) − min(V₁,V₂)(s) (critic under no-grad) weights every token's log-prob:
///   L = −mean_b A_b · Σ_t log π(a_b,t | s_b, a_b,<t).
/// With a token-level baseline (`ArcherConfig.tokenBaseline`), token t's weight is
/// min(Q₁,Q₂)(s,a) − b(s, a_<t) instead (ArcherTokenBaseline.swift). With a KL coefficient β,
/// the loss adds β · mean_b Σ_t k3(π_ref/π) on the same utterances (`penalisedByKL`).
public final class ArcherTrainer {
    public let policy: any TurnPolicy
    public let critic: ArcherCritic
    public let targetCritic: ArcherCritic
    public let config: ArcherConfig
    public let actorOptimizer: AdamW
    public let criticOptimizer: AdamW
    /// Cap on new tokens of the freshly sampled utterances a′.
    public let maxNewTokens: Int
    public var replay: ReplayBuffer
    /// The token-level baseline b(s, a_<t) of the optional variant, and its optimizer; nil for
    /// the reference actor.
    public let tokenBaseline: TokenCritic?
    let baselineOptimizer: AdamW?
    /// The frozen policy of the KL term (needed when `config.klCoefficient` > 0).
    public let reference: (any TurnPolicy)?

    /// A trainer with a fresh critic (encoder sized by `config`, vocabulary and positions
    /// matching `policy`); the target critic starts as an exact copy. `tokenBaseline` turns on
    /// the token-level baseline variant (typically `TokenCritic(copying:)` of the policy);
    /// `reference` is the frozen policy of the KL term.
    public init(
        policy: any TurnPolicy, vocabularySize: Int, config: ArcherConfig, maxNewTokens: Int = 96,
        tokenBaseline: TokenCritic? = nil, reference: (any TurnPolicy)? = nil, rng: inout SeededRNG
    ) throws {
        if config.klCoefficient > 0 && reference == nil {
            throw PolicyGradientError.invalidHyperparameter("archer.klCoefficient \(config.klCoefficient) needs a reference policy; pass one or set it to 0")
        }
        self.policy = policy
        self.reference = reference
        self.tokenBaseline = tokenBaseline
        baselineOptimizer = tokenBaseline.map {
            AdamW(parameters: $0.parameters, config: AdamWConfig(learningRate: config.tokenBaselineLearningRate, weightDecay: 0))
        }
        self.config = config
        self.maxNewTokens = maxNewTokens
        let criticConfig = ArcherCriticConfig(
            encoder: GPT2Config(vocabSize: vocabularySize, contextLength: policy.contextLength, dModel: config.criticDModel,
                                 layers: config.criticLayers, heads: config.criticHeads),
            headHiddenSize: config.criticHeadHiddenSize)
        critic = try ArcherCritic(config: criticConfig, rng: &rng)
        targetCritic = try ArcherCritic(config: criticConfig, rng: &rng)
        try targetCritic.updateTowards(critic, tau: 1)
        actorOptimizer = AdamW(parameters: policy.parameters, config: AdamWConfig(learningRate: config.actorLearningRate, weightDecay: 0))
        criticOptimizer = AdamW(parameters: critic.parameters, config: AdamWConfig(learningRate: config.criticLearningRate, weightDecay: 0))
        replay = ReplayBuffer(capacity: config.replayCapacity)
    }

    /// Utterances sampled from the current policy (temperature 1) for `states`, no autograd.
    func sampleActions(_ states: [[Int32]], rng: inout SeededRNG) throws -> [[Int32]] {
        try sampleReplies(states, rng: &rng).map(\.tokens)
    }

    /// `sampleActions` with each token's log-probability under the policy.
    func sampleReplies(_ states: [[Int32]], rng: inout SeededRNG) throws -> [GeneratedReply] {
        let longest = states.map(\.count).max() ?? 0
        let room = max(1, min(maxNewTokens, policy.contextLength - longest))
        return try policy.generate(contexts: states, sampling: SamplingConfig(maxNewTokens: room), rng: &rng)
    }

    /// The critic's regression targets for a batch: y_Q,k = r + γ(1−done)·V̄_k(s′) and
    /// y_V,k = Q̄_k(s, a′), computed with the target critic under no-grad.
    public func criticTargets(_ batch: [Transition], freshActions: [[Int32]]) throws -> (q1: [Float], q2: [Float], v1: [Float], v2: [Float]) {
        try noGrad {
            // A done transition has no s′; its own state stands in and is multiplied by 0.
            let next = batch.map { $0.done || $0.nextContext.isEmpty ? $0.context : $0.nextContext }
            let (nv1, nv2) = try targetCritic.values(states: ints(next))
            let (tq1, tq2, _, _) = try targetCritic(states: ints(batch.map(\.context)), actions: ints(freshActions))
            let nv1a = nv1.toArray(), nv2a = nv2.toArray()
            var y1: [Float] = [], y2: [Float] = []
            for (i, t) in batch.enumerated() {
                let keep: Float = t.done ? 0 : 1
                y1.append(t.reward + config.gamma * keep * nv1a[i])
                y2.append(t.reward + config.gamma * keep * nv2a[i])
            }
            return (y1, y2, tq1.toArray(), tq2.toArray())
        }
    }

    /// One iteration's critic training: `criticStepsPerIteration` steps, each on a batch from
    /// the replay buffer with a′ sampled fresh from π, then `criticPassesPerIteration − 1`
    /// further passes over those transitions and a′, reshuffled into minibatches of the same
    /// size. Returns the mean loss over all steps, the last step's mean Q and V, and the tokens
    /// encoded.
    @discardableResult
    public func criticPhase(rng: inout SeededRNG) throws -> ArcherCriticStats {
        var drawn: [(transition: Transition, freshAction: [Int32])] = []
        var steps: [ArcherCriticStats] = []
        for _ in 0..<config.criticStepsPerIteration {
            let batch = replay.sample(config.batchSize, using: &rng)
            guard !batch.isEmpty else { break }
            let fresh = try sampleActions(batch.map(\.context), rng: &rng)
            steps.append(try criticStep(batch, freshActions: fresh))
            drawn += zip(batch, fresh).map { ($0, $1) }
        }
        for _ in 1..<max(1, config.criticPassesPerIteration) {
            drawn.shuffle(using: &rng)
            for start in stride(from: 0, to: drawn.count, by: config.batchSize) {
                let minibatch = drawn[start..<min(start + config.batchSize, drawn.count)]
                steps.append(try criticStep(minibatch.map(\.transition), freshActions: minibatch.map(\.freshAction)))
            }
        }
        guard let last = steps.last else { return ArcherCriticStats(loss: 0, meanQ: 0, meanV: 0) }
        return ArcherCriticStats(loss: steps.reduce(0) { $0 + $1.loss } / Float(steps.count), meanQ: last.meanQ, meanV: last.meanV,
                                 tokens: steps.reduce(0) { $0 + $1.tokens }, steps: steps.count)
    }

    /// A critic step on a given batch and given a′ (the tests check it by hand).
    @discardableResult
    public func criticStep(_ batch: [Transition], freshActions: [[Int32]]) throws -> ArcherCriticStats {
        let targets = try criticTargets(batch, freshActions: freshActions)
        let n = [batch.count]
        criticOptimizer.zeroGrad()
        let (q1, q2, v1, v2) = try critic(states: ints(batch.map(\.context)), actions: ints(batch.map(\.utterance)))
        let loss = Tensor.mseLoss(q1, Tensor(shape: n, data: targets.q1)) + Tensor.mseLoss(q2, Tensor(shape: n, data: targets.q2))
            + Tensor.mseLoss(v1, Tensor(shape: n, data: targets.v1)) + Tensor.mseLoss(v2, Tensor(shape: n, data: targets.v2))
        loss.backward()
        clipGradientNorm(critic.parameters, maxNorm: config.maxGradNorm)
        criticOptimizer.step()
        try targetCritic.updateTowards(critic, tau: config.tau)
        let meanQ = (q1.toArray() + q2.toArray()).reduce(0, +) / Float(2 * batch.count)
        let meanV = (v1.toArray() + v2.toArray()).reduce(0, +) / Float(2 * batch.count)
        let tokens = batch.reduce(0) { $0 + 2 * $1.context.count + $1.utterance.count + $1.nextContext.count }
            + freshActions.reduce(0) { $0 + $1.count }
        return ArcherCriticStats(loss: loss.item, meanQ: meanQ, meanV: meanV, tokens: tokens)
    }

    /// min(Q₁,Q₂)(s,a) and min(V₁,V₂)(s) under the current critic, no-grad.
    func criticValues(states: [[Int32]], actions: [[Int32]]) throws -> (q: [Float], v: [Float]) {
        try noGrad {
            let (q1, q2, v1, v2) = try critic(states: ints(states), actions: ints(actions))
            let q1a = q1.toArray(), q2a = q2.toArray(), v1a = v1.toArray(), v2a = v2.toArray()
            return (q1a.indices.map { min(q1a[$0], q2a[$0]) }, v1a.indices.map { min(v1a[$0], v2a[$0]) })
        }
    }

    /// A(s, a) = min(Q₁,Q₂)(s,a) − min(V₁,V₂)(s) under the current critic, no-grad.
    public func advantages(states: [[Int32]], actions: [[Int32]]) throws -> [Float] {
        let (q, v) = try criticValues(states: states, actions: actions)
        return zip(q, v).map { $0 - $1 }
    }

    /// The actor's weight for every token of every utterance: the utterance's advantage on each
    /// of its tokens, or with a token-level baseline Q(s,a) − b(s, a_<t) (which also takes the
    /// baseline's regression step).
    func tokenAdvantages(states: [[Int32]], actions: [[Int32]]) throws -> [[Float]] {
        guard tokenBaseline != nil else {
            return zip(actions, try advantages(states: states, actions: actions)).map { [Float](repeating: $1, count: $0.count) }
        }
        return try baselineStep(states: states, actions: actions, targets: criticValues(states: states, actions: actions).q)
    }

    /// One actor step: states from the buffer, fresh utterances from π, REINFORCE with the
    /// critic's advantage on every token.
    @discardableResult
    public func actorStep(rng: inout SeededRNG) throws -> ArcherActorStats {
        let states = replay.sample(config.batchSize, using: &rng).map(\.context)
        guard !states.isEmpty else { return ArcherActorStats(loss: 0, advantageMean: 0, entropy: 0) }
        let replies = try sampleReplies(states, rng: &rng)
        let actions = replies.map(\.tokens)
        var weights = try tokenAdvantages(states: states, actions: actions)
        var klToReference: Float?
        if let reference, config.klCoefficient > 0 {
            (weights, klToReference) = try penalisedByKL(weights, states: states, actions: actions,
                                                         current: replies.map(\.policyLogProbs), reference: reference)
        }
        actorOptimizer.zeroGrad()
        let batch = zip(zip(states, actions), weights).map { WeightedSequence(context: $0.0, continuation: $0.1, weights: $1) }
        let pass = try backwardWeightedLogLikelihood(TurnPolicyScorer(policy), batch, scale: -1 / Float(states.count))
        clipGradientNorm(policy.parameters, maxNorm: config.maxGradNorm)
        actorOptimizer.step()
        // Mean over utterances of their tokens' mean weight (the utterance advantage without a baseline).
        let perUtterance = weights.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Float($0.count) }
        return ArcherActorStats(
            loss: pass.loss, advantageMean: perUtterance.reduce(0, +) / Float(perUtterance.count),
            entropy: pass.entropySum / Float(max(1, pass.scoredTokens)),
            // The baseline's regression step passes the same tokens through its own network.
            tokens: zip(states, actions).reduce(0) { $0 + $1.0.count + $1.1.count } * (tokenBaseline == nil ? 1 : 2),
            klToReference: klToReference)
    }

    /// The actor's token weights with the KL penalty folded in, and the mean k3 per token.
    /// k3 = r − log r − 1 with r = π_ref(a_t|·)/π(a_t|·); its derivative with respect to
    /// log π(a_t|·) is 1 − r, so adding β·k3 to the loss −Σ_t w_t log π_t is, for the gradient,
    /// the weight w_t − β(1 − r_t) — the same gradient GRPO's and PPO's KL term gives.
    /// `current` holds log π(a_t|·) of the policy; the actor takes them from sampling the
    /// utterances, which saves scoring every state again.
    func penalisedByKL(_ weights: [[Float]], states: [[Int32]], actions: [[Int32]], current: [[Float]],
                       reference: any TurnPolicy) throws -> ([[Float]], Float) {
        let anchored = try TurnPolicyScorer(reference).detachedLogProbs(contexts: states, continuations: actions, batchSize: states.count)
        var klSum: Float = 0, tokens = 0
        let penalised = weights.indices.map { b in
            weights[b].indices.map { t in
                let logRatio = anchored[b][t] - current[b][t]
                let r = exp(logRatio)
                klSum += r - logRatio - 1
                tokens += 1
                return weights[b][t] - config.klCoefficient * (1 - r)
            }
        }
        return (penalised, klSum / Float(max(1, tokens)))
    }

    /// Saves critic and target critic (`critic.safetensors`, `target_critic.safetensors`).
    public func saveCritics(to folder: URL) throws {
        for (name, model) in [("critic", critic), ("target_critic", targetCritic)] {
            var tensors: [String: Tensor] = [:]
            for (key, t) in model.namedParameters { tensors[key] = t }
            try SafeTensors.save(tensors, path: folder.appendingPathComponent("\(name).safetensors").path)
        }
    }

    /// Restores what `saveCritics` wrote.
    public func loadCritics(from folder: URL) throws {
        for (name, model) in [("critic", critic), ("target_critic", targetCritic)] {
            let file = try SafeTensors.load(path: folder.appendingPathComponent("\(name).safetensors").path)
            for (key, t) in model.namedParameters { t.copyValues(from: try file.tensor(key)) }
        }
    }
}

/// Token ids as the critic's `Int` sequences.
func ints(_ sequences: [[Int32]]) -> [[Int]] {
    sequences.map { $0.map(Int.init) }
}
