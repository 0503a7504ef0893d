import TensorCore

/// Per-token log-probabilities and entropies of given continuations, as tensors in the graph
/// (for PPO/GRPO/ArCHer losses). Layout: one row per (prompt, continuation) pair, padded to the
/// longest pair; entry (b, t) scores the token at t + 1, and `mask` says which entries belong
/// to a continuation.
public struct ContinuationScores {
    /// log p(token) under the model, `[B, T]`; 0 where `mask` is false.
    public let logProbs: Tensor
    /// Entropy of the next-token distribution, `[B, T]`; 0 where `mask` is false.
    public let entropy: Tensor
    /// `[B, T]` 1 where an entry scores a continuation token, else 0 (to weight losses).
    public let maskTensor: Tensor
    /// The same mask as flags, `B × T`.
    public let mask: [Bool]
    public let batchSize: Int
    public let length: Int

    /// The masked entries of `t` (`[B, T]`), row by row: one array per continuation.
    public func perContinuation(_ t: Tensor) -> [[Float]] {
        let values = t.toArray()
        return (0..<batchSize).map { b in
            (0..<length).compactMap { i in mask[b * length + i] ? values[b * length + i] : nil }
        }
    }
}

/// A continuation's scores as plain numbers.
public struct ScoredContinuation: Sendable, Equatable {
    /// log p of each continuation token given everything before it.
    public var logProbs: [Float]
    /// Entropy (nats) of the model's distribution at each continuation token.
    public var entropies: [Float]
    /// Sum of `logProbs`: the log-probability of the whole continuation.
    public var totalLogProb: Float { logProbs.reduce(0, +) }
}

extension GPT2Model {
    /// Scores each continuation after its prompt, recording the graph (so a loss built from
    /// the result back-propagates into the model). Prompts must be non-empty.
    public func continuationScores(prompts: [[Int]], continuations: [[Int]]) throws(PolicyModelsError) -> ContinuationScores {
        guard prompts.count == continuations.count else {
            throw .invalidConfiguration("\(prompts.count) prompts but \(continuations.count) continuations")
        }
        for (i, p) in prompts.enumerated() where p.isEmpty {
            throw .invalidConfiguration("prompt \(i) is empty; a continuation's first token needs context to be scored")
        }
        let batch = TokenBatch.rightPadded(zip(prompts, continuations).map { $0 + $1 })
        var targets = [Int](repeating: -1, count: batch.ids.count)
        var mask = [Bool](repeating: false, count: batch.ids.count)
        for b in 0..<batch.batchSize {
            let start = prompts[b].count - 1
            for i in 0..<continuations[b].count {
                let at = b * batch.length + start + i
                targets[at] = continuations[b][i]
                mask[at] = true
            }
        }
        let logits = try logits(batch)
        let maskTensor = Tensor(shape: [batch.batchSize, batch.length], data: mask.map { $0 ? 1 : 0 })
        return ContinuationScores(
            logProbs: Tensor.tokenLogProbs(logits, targets: targets),
            entropy: logits.softmaxEntropy() * maskTensor,
            maskTensor: maskTensor, mask: mask, batchSize: batch.batchSize, length: batch.length)
    }

    /// Scores continuations without autograd: per-token log-probs and entropies.
    public func score(prompts: [[Int]], continuations: [[Int]]) throws(PolicyModelsError) -> [ScoredContinuation] {
        let result: Result<ContinuationScores, PolicyModelsError> = noGrad {
            do throws(PolicyModelsError) {
                return .success(try continuationScores(prompts: prompts, continuations: continuations))
            } catch { return .failure(error) }
        }
        let scores = try result.get()
        return zip(scores.perContinuation(scores.logProbs), scores.perContinuation(scores.entropy))
            .map { ScoredContinuation(logProbs: $0, entropies: $1) }
    }
}
