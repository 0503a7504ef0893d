import TensorCore

/// Runs a GPT-2 one column at a time over a KV cache: `prefill` reads the (left-padded)
/// prompts once, each `advance` feeds one new token per row and reuses every earlier key and
/// value, so a step costs O(layers · D² + layers · T · D) instead of a full forward pass.
struct IncrementalDecoder {
    let model: GPT2Model
    let batch: TokenBatch
    let caches: [LayerCache]
    /// Which cache positions hold real tokens, `B × capacity`.
    private var keyMask: [Bool]
    /// Cache positions filled so far (the same for every row: rows are aligned at the end).
    private var filled: Int
    /// The position id of each row's next token.
    private var nextPositions: [Int]

    init(model: GPT2Model, batch: TokenBatch, maxNewTokens: Int) {
        self.model = model
        self.batch = batch
        let capacity = batch.length + Swift.max(maxNewTokens, 1)
        caches = (0..<model.config.layers).map { _ in
            LayerCache(batch: batch.batchSize, capacity: capacity, dModel: model.config.dModel)
        }
        var mask = [Bool](repeating: true, count: batch.batchSize * capacity)
        for b in 0..<batch.batchSize {
            for t in 0..<batch.length { mask[b * capacity + t] = batch.mask[b * batch.length + t] }
        }
        keyMask = mask
        filled = 0
        nextPositions = batch.lengths
    }

    /// Logits `[B, vocab]` after the prompts.
    mutating func prefill() -> Tensor {
        run(ids: batch.ids, positions: batch.positions, columns: batch.length)
    }

    /// Feeds one token per row; rows not `active` are fed padding that nothing attends to.
    /// Returns logits `[B, vocab]` for the next token.
    mutating func advance(_ tokens: [Int], active: [Bool]) -> Tensor {
        let capacity = caches[0].capacity
        var positions = [Int](repeating: 0, count: tokens.count)
        var ids = [Int](repeating: 0, count: tokens.count)
        for b in 0..<tokens.count {
            if active[b] {
                ids[b] = tokens[b]
                positions[b] = nextPositions[b]
                nextPositions[b] += 1
            } else {
                keyMask[b * capacity + filled] = false
            }
        }
        return run(ids: ids, positions: positions, columns: 1)
    }

    private mutating func run(ids: [Int], positions: [Int], columns: Int) -> Tensor {
        let shape = [batch.batchSize, columns]
        var x = Tensor.embedding(model.tokenEmbedding, ids: ids, shape: shape)
            + Tensor.embedding(model.positionEmbedding, ids: positions, shape: shape)
        for (block, cache) in zip(model.blocks, caches) {
            x = block.step(x, cache: cache, cacheStart: filled, keyMask: keyMask)
        }
        filled += columns
        let last = columns == 1 ? x : x.slice(axis: 1, (columns - 1)..<columns)
        let normed = last.layerNorm(weight: model.finalNormWeight, bias: model.finalNormBias,
                                    eps: model.config.layerNormEpsilon)
        return model.logits(fromHidden: normed).reshaped([batch.batchSize, model.config.vocabSize])
    }
}
