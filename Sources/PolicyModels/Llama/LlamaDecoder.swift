import TensorCore

/// Runs a `LlamaModel` one column at a time over a KV cache (the Llama counterpart of
/// `IncrementalDecoder`): `prefill` reads the left-padded prompts once, `advance` feeds one
/// token per row. The cache keeps rotated keys and values already repeated to every query
/// head (`[B, capacity, D]` per layer), so attention is TensorCore's multi-head kernel.
struct LlamaDecoder {
    let model: LlamaModel
    let batch: TokenBatch
    let caches: [LayerCache]
    private var keyMask: [Bool]
    private var filled: Int
    private var nextPositions: [Int]

    init(model: LlamaModel, batch: TokenBatch, maxNewTokens: Int) {
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

    /// Feeds one token per row (inactive rows get masked padding); logits `[B, vocab]`.
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
        let c = model.config
        let rows = batch.batchSize
        var x = Tensor.embedding(model.tokenEmbedding, ids: ids, shape: [rows, columns])
        for (layer, cache) in zip(model.layers, caches) {
            let h = x.rmsNorm(weight: layer.attentionNorm, eps: c.rmsNormEpsilon)
            let (query, key, value) = layer.queryKeyValue(h, positions: positions)
            store(key.repeatingHeads(groups: c.groups, headDim: c.headDim), into: cache.keys, cache: cache, columns: columns)
            store(value.repeatingHeads(groups: c.groups, headDim: c.headDim), into: cache.values, cache: cache, columns: columns)
            let attended = Tensor.causalSelfAttention(query: query, key: cache.keys, value: cache.values, heads: c.heads,
                                                      keyLength: filled + columns, keyMask: keyMask)
            x = x + layer.o(attended)
            x = x + layer.feedForward(x)
        }
        filled += columns
        let last = columns == 1 ? x : x.slice(axis: 1, (columns - 1)..<columns)
        let normed = last.rmsNorm(weight: model.finalNorm, eps: c.rmsNormEpsilon)
        return model.logits(fromHidden: normed).reshaped([rows, c.vocabSize])
    }

    /// Copies `[B, columns, D]` into cache positions `filled ..< filled + columns`.
    private func store(_ source: Tensor, into target: Tensor, cache: LayerCache, columns: Int) {
        let d = model.config.dModel
        source.withUnsafeBufferPointer { src in
            target.withUnsafeMutableBufferPointer { dst in
                for row in 0..<batch.batchSize {
                    (dst.baseAddress! + (row * cache.capacity + filled) * d)
                        .update(from: src.baseAddress! + row * columns * d, count: columns * d)
                }
            }
        }
    }
}
