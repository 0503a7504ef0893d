import PolicyModels
import TensorCore

/// Where the continuation tokens of a right-padded `[B, T]` batch sit: the layout of
/// `ContinuationScores` (entry (b, t) scores token t + 1, so continuation b's tokens occupy
/// entries `context.count − 1 ..< context.count − 1 + continuation.count` of row b).
struct TokenLayout {
    let mask: [Bool]
    let batchSize: Int
    let length: Int

    /// The layout `continuationScores` uses for these pairs.
    init(contextLengths: [Int], continuationLengths: [Int]) {
        batchSize = contextLengths.count
        length = zip(contextLengths, continuationLengths).map { $0 + $1 }.max() ?? 0
        var mask = [Bool](repeating: false, count: batchSize * length)
        for b in 0..<batchSize {
            for i in 0..<continuationLengths[b] { mask[b * length + contextLengths[b] - 1 + i] = true }
        }
        self.mask = mask
    }

    init(mask: [Bool], batchSize: Int, length: Int) {
        self.mask = mask
        self.batchSize = batchSize
        self.length = length
    }

    /// A `[B, T]` constant tensor with `values[b]` written at continuation b's entries (in
    /// order) and 0 elsewhere: per-token advantages, old log-probs, returns.
    func aligned(_ values: [[Float]]) -> Tensor {
        precondition(values.count == batchSize, "\(values.count) rows for a batch of \(batchSize)")
        var data = [Float](repeating: 0, count: batchSize * length)
        for b in 0..<batchSize {
            var next = 0
            for i in 0..<length where mask[b * length + i] {
                data[b * length + i] = values[b][next]
                next += 1
            }
            precondition(next == values[b].count, "row \(b): \(values[b].count) values for \(next) tokens")
        }
        return Tensor(shape: [batchSize, length], data: data)
    }

    /// `aligned` for one value per continuation, repeated over its tokens.
    func aligned(perContinuation values: [Float]) -> Tensor {
        aligned((0..<batchSize).map { b in
            [Float](repeating: values[b], count: (0..<length).reduce(0) { $0 + (mask[b * length + $1] ? 1 : 0) })
        })
    }

    /// The masked entries of `t` row by row: one array per continuation.
    func perContinuation(_ t: Tensor) -> [[Float]] {
        let values = t.toArray()
        return (0..<batchSize).map { b in (0..<length).compactMap { mask[b * length + $0] ? values[b * length + $0] : nil } }
    }

    /// The mask as a `[B, T]` tensor of 0/1.
    var maskTensor: Tensor { Tensor(shape: [batchSize, length], data: mask.map { $0 ? 1 : 0 }) }

    /// Number of continuation tokens in the batch.
    var tokenCount: Int { mask.reduce(0) { $0 + ($1 ? 1 : 0) } }
}

extension ContinuationScores {
    var layout: TokenLayout { TokenLayout(mask: mask, batchSize: batchSize, length: length) }
}
