import PolicyModels
import TensorCore

extension ContinuationScores {
    /// A `[B, T]` constant tensor with `values[b]` written at continuation b's entries (in
    /// order) and 0 elsewhere: per-token advantages, old log-probs, returns, aligned with
    /// `logProbs`.
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
            let tokens = (0..<length).reduce(0) { $0 + (mask[b * length + $1] ? 1 : 0) }
            return [Float](repeating: values[b], count: tokens)
        })
    }

    /// Number of continuation tokens in the batch.
    var tokenCount: Int { mask.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
