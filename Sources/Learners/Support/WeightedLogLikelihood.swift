import PolicyModels
import TensorCore

/// A continuation to score after a context, with one weight per continuation token: 1 for
/// behaviour cloning, the advantage for REINFORCE, 0 for tokens that are not the policy's
/// (e.g. observations inside a merged episode sequence).
public struct WeightedSequence: Sendable, Equatable {
    public var context: [Int32]
    public var continuation: [Int32]
    public var weights: [Float]

    public init(context: [Int32], continuation: [Int32], weights: [Float]) {
        precondition(weights.count == continuation.count, "one weight per continuation token")
        self.context = context
        self.continuation = continuation
        self.weights = weights
    }

    /// Every token of `continuation` weighted `weight`.
    public init(context: [Int32], continuation: [Int32], weight: Float) {
        self.init(context: context, continuation: continuation, weights: [Float](repeating: weight, count: continuation.count))
    }
}

/// Tokens with a non-zero weight in `batch` (what a likelihood is normalised by).
func weightedTokens(_ batch: [WeightedSequence]) -> Int {
    batch.reduce(0) { $0 + $1.weights.lazy.filter { $0 != 0 }.count }
}

/// What one accumulated backward pass of a weighted log-likelihood saw.
struct WeightedBackward {
    /// scale · Σ weight · log p(token): the loss whose gradient was added.
    var loss: Float = 0
    /// Σ of the policy's entropy over the scored tokens, and their number.
    var entropySum: Float = 0
    var scoredTokens = 0
}

/// Adds the gradient of scale · Σ over sequences and tokens of weight · log p(token) to the
/// policy's parameters. The batch goes through the policy in micro-batches within its
/// `tokensPerForward` (the gradients add up to the whole batch's), so a large model's
/// activations stay bounded.
func backwardWeightedLogLikelihood(_ policy: some ScoringPolicy, _ batch: [WeightedSequence], scale: Float) throws -> WeightedBackward {
    var result = WeightedBackward()
    let lengths = batch.map { $0.context.count + $0.continuation.count }
    for micro in accumulationMicroBatches(Array(batch.indices), lengths: lengths, tokenBudget: policy.tokensPerForward) {
        let part = micro.map { batch[$0] }
        let scores = try policy.continuationScores(contexts: part.map(\.context), continuations: part.map(\.continuation))
        var weights = [Float](repeating: 0, count: scores.batchSize * scores.length)
        for (b, sequence) in part.enumerated() {
            var i = 0
            for t in 0..<scores.length where scores.mask[b * scores.length + t] {
                weights[b * scores.length + t] = sequence.weights[i]
                i += 1
            }
        }
        let loss = (scores.logProbs * Tensor(shape: [scores.batchSize, scores.length], data: weights)).sum() * scale
        loss.backward()
        result.loss += loss.item
        result.entropySum += scores.entropy.detached().sum().item
        result.scoredTokens += scores.mask.lazy.filter { $0 }.count
    }
    return result
}

/// Scales the gradients of `parameters` so their global L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`); returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.withUnsafeBufferPointer { for x in $0 { total += Double(x) * Double(x) } }
    }
    let norm = Float(total.squareRoot())
    guard maxNorm > 0, norm > maxNorm else { return norm }
    let scale = maxNorm / (norm + 1e-6)
    for p in parameters {
        p.grad?.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= scale } }
    }
    return norm
}

/// Draws `n` indices from `0..<count` uniformly with replacement.
func sampleIndices(_ n: Int, from count: Int, rng: inout SeededRNG) -> [Int] {
    (0..<n).map { _ in Int(rng.next() % UInt64(count)) }
}
