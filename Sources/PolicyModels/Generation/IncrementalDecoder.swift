import TensorCore

/// Runs a GPT-2 one column at a time over a KV cache: `prefill` reads the (left-padded)
/// prompts once, each `advance` feeds one new token per row and reuses every earlier key and
/// value, so a step costs O(layers · D² + layers · T · D) instead of a full forward pass.
struct IncrementalDecoder {
    let model: GPT2Model
    let batch: TokenBatch
    let caches: [LayerCache]
    private var cacheState: CacheColumns

    init(model: GPT2Model, batch: TokenBatch, maxNewTokens: Int) {
        self.model = model
        self.batch = batch
        cacheState = CacheColumns(batch: batch, maxNewTokens: maxNewTokens)
        let capacity = cacheState.capacity
        caches = (0..<model.config.layers).map { _ in
            LayerCache(batch: batch.batchSize, capacity: capacity, width: model.config.dModel)
        }
    }

    /// Logits `[B, vocab]` after the prompts.
    mutating func prefill() -> Tensor {
        run(ids: batch.ids, positions: batch.positions, columns: batch.length)
    }

    /// Feeds one token per row; rows not `active` are fed padding that nothing attends to.
    /// Returns logits `[B, vocab]` for the next token.
    mutating func advance(_ tokens: [Int], active: [Bool]) -> Tensor {
        let (ids, positions) = cacheState.nextColumn(tokens, active: active)
        return run(ids: ids, positions: positions, columns: 1)
    }

    private mutating func run(ids: [Int], positions: [Int], columns count: Int) -> Tensor {
        let shape = [batch.batchSize, count]
        var x = Tensor.embedding(model.tokenEmbedding, ids: ids, shape: shape)
            + Tensor.embedding(model.positionEmbedding, ids: positions, shape: shape)
        for (block, cache) in zip(model.blocks, caches) {
            x = block.step(x, cache: cache, cacheStart: cacheState.filled, keyMask: cacheState.keyMask)
        }
        cacheState.didFill(count)
        let last = count == 1 ? x : x.slice(axis: 1, (count - 1)..<count)
        let normed = last.layerNorm(weight: model.finalNormWeight, bias: model.finalNormBias,
                                    eps: model.config.layerNormEpsilon)
        return model.logits(fromHidden: normed).reshaped([batch.batchSize, model.config.vocabSize])
    }
}
