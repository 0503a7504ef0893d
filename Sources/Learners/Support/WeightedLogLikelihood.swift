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

/// Σ over sequences and tokens of weight · log p(token), as a graph tensor, with the number of
/// weighted tokens (for normalising) and the scores it came from (entropies, masks).
func weightedLogLikelihood(_ policy: any TurnPolicy, _ batch: [WeightedSequence]) throws
    -> (sum: Tensor, weightedTokens: Int, scores: ContinuationScores)
{
    let scores = try policy.continuationScores(contexts: batch.map(\.context), continuations: batch.map(\.continuation))
    var weights = [Float](repeating: 0, count: scores.batchSize * scores.length)
    var count = 0
    for (b, sequence) in batch.enumerated() {
        var i = 0
        for t in 0..<scores.length where scores.mask[b * scores.length + t] {
            weights[b * scores.length + t] = sequence.weights[i]
            if sequence.weights[i] != 0 { count += 1 }
            i += 1
        }
    }
    let w = Tensor(shape: [scores.batchSize, scores.length], data: weights)
    return ((scores.logProbs * w).sum(), count, scores)
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
