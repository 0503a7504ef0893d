import TensorCore

extension LlamaModel {
    /// Scores each continuation after its prompt like `continuationScores(prompts:continuations:)`
    /// (the same log-probs and entropies), but records the graph only for the continuation.
    ///
    /// Each prompt but its last token is encoded once without a graph; its per-layer keys and
    /// values are constants the continuation attends to. Only the last prompt token (whose
    /// output predicts the first continuation token) and the continuation go through the graph,
    /// so gradients reach the adapters through the generated tokens alone, not through how the
    /// adapters changed the prompt's keys and values. That is TurnRL's training-cost design for
    /// LLM policies: an episode's context is mostly prompt (hundreds of tokens of system prompt,
    /// worked examples and tool output) and a reply a few dozen, so the tape, the backward pass
    /// and their memory shrink by the ratio of the two.
    public func replyScores(prompts: [[Int]], continuations: [[Int]]) throws(PolicyModelsError) -> ContinuationScores {
        // Same validation as the whole-sequence path (ids, context length, empty prompts).
        try inputLimits.check(zip(prompts, continuations).map { $0 + $1 })
        let replies = try ContinuationLayout(prompts: prompts.map { Array($0.suffix(1)) }, continuations: continuations)
        let heads = TokenBatch.leftPadded(prompts.map { Array($0.dropLast()) })
        let prefix = heads.length > 0 ? noGrad { encodedPrefix(heads) } : nil

        // Reply column t of row b sits at position |head_b| + t, after the row's head.
        let tail = replies.batch
        var positions = [Int](repeating: 0, count: tail.ids.count)
        for b in 0..<tail.batchSize {
            for t in 0..<tail.length { positions[b * tail.length + t] = heads.lengths[b] + t }
        }
        var keyMask: [Bool] = []
        keyMask.reserveCapacity(tail.batchSize * (heads.length + tail.length))
        for b in 0..<tail.batchSize {
            keyMask += heads.mask[(b * heads.length)..<((b + 1) * heads.length)]
            keyMask += tail.mask[(b * tail.length)..<((b + 1) * tail.length)]
        }
        var x = Tensor.embedding(tokenEmbedding, ids: tail.ids, shape: [tail.batchSize, tail.length])
        for (i, layer) in layers.enumerated() {
            x = layer.forward(x, positions: positions, keyMask: keyMask, after: prefix?[i]).output
        }
        return replies.scores(hidden: x.rmsNorm(weight: finalNorm, eps: config.rmsNormEpsilon), head: logits(fromHidden:))
    }

    /// Every layer's keys and values of a padded batch (call under `noGrad`).
    func encodedPrefix(_ batch: TokenBatch) -> [LayerKeyValues] {
        var x = Tensor.embedding(tokenEmbedding, ids: batch.ids, shape: [batch.batchSize, batch.length])
        let mask = batch.hasPadding ? batch.mask : nil
        return layers.map { layer in
            let (output, keyValues) = layer.forward(x, positions: batch.positions, keyMask: mask, after: nil)
            x = output
            return keyValues
        }
    }
}
