/// What a model can read: ids inside its vocabulary, sequences no longer than its learned
/// positions. GPT-2 and Llama check their inputs against it before any compute, so a bad id
/// is an error and not an out-of-bounds read.
struct InputLimits {
    let vocabularySize: Int
    let contextLength: Int

    /// Throws when a real (unmasked) id leaves the vocabulary or a row is longer than the context.
    func check(_ batch: TokenBatch) throws(PolicyModelsError) {
        for (i, id) in batch.ids.enumerated() where batch.mask[i] { try check(id) }
        try check(longest: batch.lengths.max() ?? 0)
    }

    /// The same check on unpadded sequences, without building a batch.
    func check(_ sequences: [[Int]]) throws(PolicyModelsError) {
        for sequence in sequences {
            for id in sequence { try check(id) }
        }
        try check(longest: sequences.map(\.count).max() ?? 0)
    }

    private func check(_ id: Int) throws(PolicyModelsError) {
        if id < 0 || id >= vocabularySize { throw .tokenOutOfRange(id: id, vocabularySize: vocabularySize) }
    }

    private func check(longest: Int) throws(PolicyModelsError) {
        if longest > contextLength { throw .contextOverflow(length: longest, maximum: contextLength) }
    }
}
