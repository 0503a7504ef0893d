import TensorCore

/// Runs a `LlamaModel` one column at a time over a KV cache (the Llama counterpart of
/// `IncrementalDecoder`): `prefill` reads the left-padded prompts once, `advance` feeds one
/// token per row. The cache keeps rotated keys and values already repeated to every query
/// head (`[B, capacity, D]` per layer), so attention is TensorCore's multi-head kernel.
///
/// Prompts that begin alike (a system prompt and worked examples before every task) share
/// their common tokens: `prefix` holds every layer's keys and values of them, `[1, P, D]`,
/// encoded once; they fill each row's first P cache columns and `batch` holds only the rest.
struct LlamaDecoder {
    let model: LlamaModel
    let batch: TokenBatch
    let caches: [LayerCache]
    private let sharedPrefix: Int
    private var cacheState: CacheColumns

    init(model: LlamaModel, batch: TokenBatch, maxNewTokens: Int, prefix: [LayerKeyValues]? = nil) {
        self.model = model
        self.batch = batch
        sharedPrefix = prefix?.first?.keys.shape[1] ?? 0
        cacheState = CacheColumns(batch: batch, maxNewTokens: maxNewTokens, sharedPrefix: sharedPrefix)
        let capacity = cacheState.capacity
        caches = (0..<model.config.layers).map { _ in
            LayerCache(batch: batch.batchSize, capacity: capacity, dModel: model.config.dModel)
        }
        if let prefix {
            for (cache, shared) in zip(caches, prefix) {
                Self.copyToEveryRow(shared.keys, into: cache.keys, rows: batch.batchSize, capacity: capacity)
                Self.copyToEveryRow(shared.values, into: cache.values, rows: batch.batchSize, capacity: capacity)
            }
        }
    }

    /// Logits `[B, vocab]` after the prompts.
    mutating func prefill() -> Tensor {
        let shift = sharedPrefix
        let positions = zip(batch.positions, batch.mask).map { $1 ? $0 + shift : 0 }
        return run(ids: batch.ids, positions: positions, columns: batch.length)
    }

    /// Copies `[1, P, D]` into the first P columns of every row of a `[rows, capacity, D]` cache.
    private static func copyToEveryRow(_ source: Tensor, into target: Tensor, rows: Int, capacity: Int) {
        let rowStride = capacity * source.shape[2]
        source.withUnsafeBufferPointer { src in
            target.withUnsafeMutableBufferPointer { dst in
                for row in 0..<rows {
                    (dst.baseAddress! + row * rowStride).update(from: src.baseAddress!, count: source.count)
                }
            }
        }
    }

    /// Feeds one token per row (inactive rows get masked padding); logits `[B, vocab]`.
    mutating func advance(_ tokens: [Int], active: [Bool]) -> Tensor {
        let (ids, positions) = cacheState.nextColumn(tokens, active: active)
        return run(ids: ids, positions: positions, columns: 1)
    }

    private mutating func run(ids: [Int], positions: [Int], columns count: Int) -> Tensor {
        let c = model.config
        let rows = batch.batchSize
        var x = Tensor.embedding(model.tokenEmbedding, ids: ids, shape: [rows, count])
        for (layer, cache) in zip(model.layers, caches) {
            let h = x.rmsNorm(weight: layer.attentionNorm, eps: c.rmsNormEpsilon)
            let (query, key, value) = layer.queryKeyValue(h, positions: positions)
            store(key.repeatingHeads(groups: c.groups, headDim: c.headDim), into: cache.keys, cache: cache, columns: count)
            store(value.repeatingHeads(groups: c.groups, headDim: c.headDim), into: cache.values, cache: cache, columns: count)
            let attended = Tensor.causalSelfAttention(query: query, key: cache.keys, value: cache.values, heads: c.heads,
                                                      keyLength: cacheState.filled + count, keyMask: cacheState.keyMask)
            x = x + layer.o(attended)
            x = x + layer.feedForward(x)
        }
        cacheState.didFill(count)
        let last = count == 1 ? x : x.slice(axis: 1, (count - 1)..<count)
        let normed = last.rmsNorm(weight: model.finalNorm, eps: c.rmsNormEpsilon)
        return model.logits(fromHidden: normed).reshaped([rows, c.vocabSize])
    }

    /// Copies `[B, columns, D]` into cache positions `filled ..< filled + columns`.
    private func store(_ source: Tensor, into target: Tensor, cache: LayerCache, columns count: Int) {
        let d = model.config.dModel
        source.withUnsafeBufferPointer { src in
            target.withUnsafeMutableBufferPointer { dst in
                for row in 0..<batch.batchSize {
                    (dst.baseAddress! + (row * cache.capacity + cacheState.filled) * d)
                        .update(from: src.baseAddress! + row * count * d, count: count * d)
                }
            }
        }
    }
}
