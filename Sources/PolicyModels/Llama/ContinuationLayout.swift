import TensorCore

/// The right-padded batch of (prompt + continuation) rows that continuation scoring reads,
/// with the target token and mask of every entry: entry (b, t) scores the token at t + 1.
/// (The same layout as `GPT2Model.continuationScores`; written once here for any model that
/// maps hidden states to logits.)
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

    /// Log-probs and entropies of the continuation tokens. `hidden` is the final hidden state
    /// `[B, T, D]`; `head` maps rows `[N, D]` to logits `[N, vocab]`. Only the N scored rows go
    /// through the head: an episode's context is mostly prompt, and logits of every position of a
    /// 49k-token vocabulary (with their softmax and gradients) cost gigabytes per minibatch
    /// (16 turns of 300 tokens: 0.9 GB per `[B, T, vocab]` tensor).
    func scores(hidden: Tensor, head: (Tensor) -> Tensor) -> ContinuationScores {
        let (rows, length) = (batch.batchSize, batch.length)
        let scored = mask.indices.filter { mask[$0] }
        let maskTensor = Tensor(shape: [rows, length], data: mask.map { $0 ? 1 : 0 })
        guard !scored.isEmpty else {  // only empty continuations: nothing to score
            return ContinuationScores(
                logProbs: .zeros([rows, length]), entropy: .zeros([rows, length]),
                maskTensor: maskTensor, mask: mask, batchSize: rows, length: length)
        }
        let d = hidden.shape[hidden.rank - 1]
        let logits = head(Tensor.embedding(hidden.reshaped([rows * length, d]), ids: scored))
        return ContinuationScores(
            logProbs: spread(Tensor.tokenLogProbs(logits, targets: scored.map { targets[$0] }), scored: scored),
            entropy: spread(logits.softmaxEntropy(), scored: scored),
            maskTensor: maskTensor, mask: mask, batchSize: rows, length: length)
    }

    /// Values `[N]` of the scored entries back in the batch layout `[B, T]`, 0 elsewhere
    /// (differentiable: a row gather from the values plus one zero row).
    private func spread(_ values: Tensor, scored: [Int]) -> Tensor {
        var slot = [Int](repeating: scored.count, count: mask.count)  // the zero row
        for (k, entry) in scored.enumerated() { slot[entry] = k }
        let table = Tensor.concat([values.reshaped([scored.count, 1]), Tensor.zeros([1, 1])], axis: 0)
        return Tensor.embedding(table, ids: slot).reshaped([batch.batchSize, batch.length])
    }
}

extension ContinuationScores {
    /// The masked entries as plain numbers, one `ScoredContinuation` per row.
    var scoredContinuations: [ScoredContinuation] {
        zip(perContinuation(logProbs), perContinuation(entropy)).map { ScoredContinuation(logProbs: $0, entropies: $1) }
    }
}
