import PolicyModels
import TensorCore

/// The two things the policy-gradient learners need from a policy: its trainable tensors and
/// differentiable per-token log-probs of given continuations. Every `TurnPolicy` provides them
/// (`TurnPolicyScorer`); the narrow protocol lets the learners' tests train a tiny model over an
/// 8-token vocabulary without a chat template.
public protocol ScoringPolicy: AnyObject {
    /// Every trainable tensor (what an optimizer takes).
    var parameters: [Tensor] { get }
    /// `parameters` with stable names (checkpointed optimizer state is keyed by them); by
    /// position unless a conformance names them.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// Per-token log-probabilities of `continuations` after `contexts`, recorded in the graph.
    func continuationScores(contexts: [[Int32]], continuations: [[Int32]]) throws -> ContinuationScores
    /// The most padded tokens (rows × longest context + continuation) one differentiable
    /// forward should hold; learners split a minibatch into micro-batches within it and
    /// accumulate gradients. Activation memory grows with it (`Int.max`: no limit).
    var tokensPerForward: Int { get }
}

/// A `TurnPolicy` seen as a `ScoringPolicy`.
public final class TurnPolicyScorer: ScoringPolicy {
    public let policy: any TurnPolicy

    public init(_ policy: any TurnPolicy) { self.policy = policy }

    public var parameters: [Tensor] { policy.parameters }
    public var namedParameters: [(name: String, tensor: Tensor)] { policy.namedParameters }

    public func continuationScores(contexts: [[Int32]], continuations: [[Int32]]) throws -> ContinuationScores {
        try policy.continuationScores(contexts: contexts, continuations: continuations)
    }

    public var tokensPerForward: Int { policy.tokensPerForward }
}

extension ScoringPolicy {
    public var namedParameters: [(name: String, tensor: Tensor)] { positionallyNamed(parameters) }
    public var tokensPerForward: Int { .max }

    /// Per-token log-probs of each (context, continuation) pair without autograd, scored
    /// `batchSize` pairs at a time, each batch in micro-batches within `tokensPerForward` (the
    /// old-policy and reference log-probs of an update).
    func detachedLogProbs(contexts: [[Int32]], continuations: [[Int32]], batchSize: Int) throws -> [[Float]] {
        let lengths = zip(contexts, continuations).map { $0.count + $1.count }
        return try noGrad {
            try batches(of: contexts.count, size: batchSize)
                .flatMap { microBatches(Array($0), lengths: lengths, tokenBudget: tokensPerForward) }
                .flatMap { micro in
                    let scores = try continuationScores(contexts: micro.map { contexts[$0] },
                                                        continuations: micro.map { continuations[$0] })
                    return scores.perContinuation(scores.logProbs)
                }
        }
    }
}

/// Consecutive index ranges of at most `size` covering 0..<count.
func batches(of count: Int, size: Int) -> [Range<Int>] {
    let size = max(1, size)
    return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
}
