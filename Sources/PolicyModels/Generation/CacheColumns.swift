/// The bookkeeping every KV-cache decoder shares (`IncrementalDecoder` for GPT-2,
/// `LlamaDecoder`): the cache capacity, which cache positions hold real tokens, how many
/// positions are filled (the same for every row: rows are aligned at the end), and the position
/// id of each row's next token.
struct CacheColumns {
    /// Cache positions per row: the prompt's columns plus room for the new tokens.
    let capacity: Int
    /// Which cache positions hold real tokens, `B × capacity`.
    private(set) var keyMask: [Bool]
    /// Cache positions filled so far.
    private(set) var filled = 0
    private var nextPositions: [Int]

    /// Columns for the left-padded `batch` after `cachedColumns` columns of keys and values the
    /// decoder already holds: row b's `cached[b]` tokens (its first ones) sit right-aligned in
    /// them, so every row reads as one unbroken run, and `batch` holds each row's remaining
    /// tokens (positions continue from `cached[b]`). No `cached` means none.
    init(batch: TokenBatch, maxNewTokens: Int, cached: [Int] = [], cachedColumns: Int = 0) {
        let known = cached.isEmpty ? [Int](repeating: 0, count: batch.batchSize) : cached
        precondition(known.count == batch.batchSize && known.allSatisfy { $0 <= cachedColumns })
        capacity = cachedColumns + batch.length + Swift.max(maxNewTokens, 1)
        var mask = [Bool](repeating: true, count: batch.batchSize * capacity)
        for b in 0..<batch.batchSize {
            for t in 0..<(cachedColumns - known[b]) { mask[b * capacity + t] = false }
            for t in 0..<batch.length { mask[b * capacity + cachedColumns + t] = batch.mask[b * batch.length + t] }
        }
        keyMask = mask
        filled = cachedColumns
        nextPositions = zip(batch.lengths, known).map { $0 + $1 }
    }

    /// The ids and position ids of one new column: each active row's token at its next
    /// position; rows not `active` get padding that nothing attends to.
    mutating func nextColumn(_ tokens: [Int], active: [Bool]) -> (ids: [Int], positions: [Int]) {
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
        return (ids, positions)
    }

    /// Marks `columns` more cache positions as filled (after a step wrote them).
    mutating func didFill(_ columns: Int) { filled += columns }
}
