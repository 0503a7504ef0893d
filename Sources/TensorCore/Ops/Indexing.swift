/// Embedding lookup and gathers along the last axis, with scatter-add backwards.

extension Tensor {
    /// Rows of `weight` (`[V, D]`) picked by `ids`; the result has shape `idsShape + [D]`
    /// (default `[ids.count, D]`). The backward adds each output row's gradient into its row.
    public static func embedding(_ weight: Tensor, ids: [Int], shape idsShape: [Int]? = nil) -> Tensor {
        precondition(weight.rank == 2, "embedding: weight must be [vocab, dim], got \(weight.shape)")
        let vocab = weight.shape[0], d = weight.shape[1]
        let idsShape = idsShape ?? [ids.count]
        precondition(idsShape.reduce(1, *) == ids.count, "embedding: \(ids.count) ids do not fill shape \(idsShape)")
        let out = Storage(count: ids.count * d, zeroed: false)
        let w = weight.pointer
        ids.withUnsafeBufferPointer { idp in
            for (i, id) in idp.enumerated() {
                precondition(id >= 0 && id < vocab, "embedding: id \(id) at position \(i) is outside the vocabulary 0..<\(vocab)")
                (out.base + i * d).update(from: w + id * d, count: d)
            }
        }
        return result(idsShape + [d], out, inputs: [weight]) { out in
            let g = out.gradPointer(), gw = weight.gradPointer()
            ids.withUnsafeBufferPointer { idp in
                for (i, id) in idp.enumerated() { addInPlace(gw + id * d, g + i * d, d) }
            }
        }
    }

    /// x[..., indices[row]] for every row of the last axis: `[..., N]` → `[...]`. An index < 0
    /// gives 0 and no gradient (a masked position).
    public func gatherLastAxis(_ indices: [Int]) -> Tensor {
        let (rows, n) = lastAxisRows
        precondition(indices.count == rows, "gatherLastAxis: \(indices.count) indices for \(rows) rows of \(shape)")
        let out = Storage(count: rows, zeroed: false)
        let x = pointer
        for r in 0..<rows {
            let j = indices[r]
            precondition(j < n, "gatherLastAxis: index \(j) at row \(r) is outside 0..<\(n)")
            out.base[r] = j < 0 ? 0 : x[r * n + j]
        }
        return Tensor.result(Array(shape.dropLast()), out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), gx = self.gradPointer()
            for r in 0..<rows where indices[r] >= 0 { gx[r * n + indices[r]] += g[r] }
        }
    }
}
