import TensorCore

/// Runs a `LlamaModel` one column at a time over a KV cache (the Llama counterpart of
/// `IncrementalDecoder`): `prefill` reads the left-padded prompts once, `advance` feeds one
/// token per row. The cache keeps the rotated key/value heads (`[B, capacity, kvDim]` per
/// layer), which TensorCore's attention reads for every query head of their group.
///
/// A row whose first tokens are already encoded (`KnownPrefix`: the system prompt every task
/// shares, or the last turn of the same episode) starts from their keys and values, copied
/// right-aligned into the cache's first columns; `batch` then holds only the rest. All rows
/// read one window as wide as the longest rest, so a row that knows more reads a few tokens
/// again rather than making every other row wait on padding.
struct LlamaDecoder {
    let model: LlamaModel
    /// What `prefill` reads: each prompt without its copied tokens, left-padded.
    let batch: TokenBatch
    let caches: [LayerCache]
    /// Tokens of each row whose keys and values were copied in.
    private let copied: [Int]
    private var cacheState: CacheColumns

    init(model: LlamaModel, prompts: [[Int]], known: [KnownPrefix?], maxNewTokens: Int) {
        self.model = model
        let window = zip(prompts, known).map { $0.count - ($1?.count ?? 0) }.max() ?? 0
        let copied = prompts.map { Swift.max(0, $0.count - window) }
        let cachedColumns = copied.max() ?? 0
        self.copied = copied
        batch = TokenBatch.leftPadded(zip(prompts, copied).map { Array($0.dropFirst($1)) })
        cacheState = CacheColumns(batch: batch, maxNewTokens: maxNewTokens, cached: copied, cachedColumns: cachedColumns)
        let capacity = cacheState.capacity
        caches = (0..<model.config.layers).map { _ in
            LayerCache(batch: prompts.count, capacity: capacity, width: model.config.kvDim)
        }
        for (row, prefix) in known.enumerated() where copied[row] > 0 {
            // copied ≤ the known count: the window is at least this row's unknown rest.
            let firstColumn = row * capacity + cachedColumns - copied[row]
            for (layer, cache) in caches.enumerated() {
                fill(cache.keys, at: firstColumn, from: prefix!.sequence.keys[layer], tokens: copied[row])
                fill(cache.values, at: firstColumn, from: prefix!.sequence.values[layer], tokens: copied[row])
            }
        }
    }

    /// Logits `[B, vocab]` after the prompts.
    mutating func prefill() -> Tensor {
        var positions = batch.positions
        for row in 0..<batch.batchSize {
            for t in 0..<batch.length where batch.mask[row * batch.length + t] { positions[row * batch.length + t] += copied[row] }
        }
        return run(ids: batch.ids, positions: positions, columns: batch.length)
    }

    /// Writes the first `tokens` stored rows of `source` (kvDim floats each) into consecutive
    /// cache columns from `column`.
    private func fill(_ target: Tensor, at column: Int, from source: [Float], tokens: Int) {
        let kv = model.config.kvDim
        source.withUnsafeBufferPointer { src in
            target.withUnsafeMutableBufferPointer { dst in
                (dst.baseAddress! + column * kv).update(from: src.baseAddress!, count: tokens * kv)
            }
        }
    }

    /// Every row's keys and values so far, as sequences a later prompt can start from:
    /// `sequences[b]` is row b's prompt and sampled tokens, of which the cache holds the ones
    /// fed so far (all but the last sampled).
    func encodedSequences(_ sequences: [[Int]]) -> [EncodedSequence] {
        let capacity = cacheState.capacity
        return sequences.enumerated().map { row, tokens in
            let columns = (0..<cacheState.filled).filter { cacheState.keyMask[row * capacity + $0] }
            return EncodedSequence(tokens: Array(tokens.prefix(columns.count)),
                                   keys: caches.map { gather($0.keys, row: row, columns: columns) },
                                   values: caches.map { gather($0.values, row: row, columns: columns) })
        }
    }

    /// `columns` of one row of a cache tensor, kvDim floats each.
    private func gather(_ tensor: Tensor, row: Int, columns: [Int]) -> [Float] {
        let kv = model.config.kvDim, rowStart = row * cacheState.capacity
        var out: [Float] = []
        out.reserveCapacity(columns.count * kv)
        tensor.withUnsafeBufferPointer { all in
            for column in columns { out += all[((rowStart + column) * kv)..<((rowStart + column + 1) * kv)] }
        }
        return out
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
            store(key, into: cache.keys, cache: cache, columns: count)
            store(value, into: cache.values, cache: cache, columns: count)
            let attended = Tensor.causalSelfAttention(query: query, key: cache.keys, value: cache.values, heads: c.heads, groups: c.groups,
                                                      keyLength: cacheState.filled + count, keyMask: cacheState.keyMask)
            x = x + layer.o(attended)
            x = x + layer.feedForward(x)
        }
        cacheState.didFill(count)
        let last = count == 1 ? x : x.slice(axis: 1, (count - 1)..<count)
        let normed = last.rmsNorm(weight: model.finalNorm, eps: c.rmsNormEpsilon)
        return model.logits(fromHidden: normed).reshaped([rows, c.vocabSize])
    }

    /// Copies `[B, columns, kvDim]` into cache positions `filled ..< filled + columns`.
    private func store(_ source: Tensor, into target: Tensor, cache: LayerCache, columns count: Int) {
        let d = model.config.kvDim
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
