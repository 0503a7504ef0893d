import TensorCore

/// The right-padded batch of (prompt + continuation) rows that continuation scoring reads,
/// with the target token and mask of every entry: entry (b, t) scores the token at t + 1.
/// (The same layout as `GPT2Model.continuationScores`; written once here for any model that
/// produces `[B, T, vocab]` logits.)
struct ContinuationLayout {
    let batch: TokenBatch
    let targets: [Int]
    let mask: [Bool]

    init(prompts: [[Int]], continuations: [[Int]]) throws(PolicyModelsError) {
        guard prompts.count == continuations.count else {
            throw .invalidConfiguration("\(prompts.count) prompts but \(continuations.count) continuations")
        }
        for (i, p) in prompts.enumerated() where p.isEmpty {
            throw .invalidConfiguration("prompt \(i) is empty; a continuation's first token needs context to be scored")
        }
        batch = TokenBatch.rightPadded(zip(prompts, continuations).map { $0 + $1 })
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
        self.targets = targets
        self.mask = mask
    }

    /// Log-probs and entropies of the continuation tokens under `logits` `[B, T, vocab]`.
    func scores(logits: Tensor) -> ContinuationScores {
        let maskTensor = Tensor(shape: [batch.batchSize, batch.length], data: mask.map { $0 ? 1 : 0 })
        return ContinuationScores(
            logProbs: Tensor.tokenLogProbs(logits, targets: targets),
            entropy: logits.softmaxEntropy() * maskTensor,
            maskTensor: maskTensor, mask: mask, batchSize: batch.batchSize, length: batch.length)
    }
}

extension ContinuationScores {
    /// The masked entries as plain numbers, one `ScoredContinuation` per row.
    var scoredContinuations: [ScoredContinuation] {
        zip(perContinuation(logProbs), perContinuation(entropy)).map { ScoredContinuation(logProbs: $0, entropies: $1) }
    }
}
