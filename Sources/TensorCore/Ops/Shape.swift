/// Reshape, slice, concatenate, transpose. Reshape and leading-axis slices are views (no copy);
/// the others copy, which is cheap next to the matmuls around them.

extension Tensor {
    /// The same values with another shape (one axis may be -1, inferred). A view: no copy.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var shape = newShape
        if let i = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshaped: cannot infer -1 in \(newShape) for \(count) elements")
            shape[i] = count / known
        }
        precondition(shape.reduce(1, *) == count, "reshaped: \(self.shape) (\(count) elements) cannot become \(newShape)")
        return Tensor.result(shape, storage, offset: offset, inputs: [self]) { [self] out in
            self.takeOrAccumulateGrad(from: out)
        }
    }

    /// Elements `range` along `axis`. A view when every axis before `axis` has size 1 (e.g.
    /// slicing the batch axis); otherwise a copy.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = axisIndex(axis, "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice: \(range) out of 0..<\(shape[a]) on axis \(axis) of \(shape)")
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        outShape[a] = range.count
        let len = range.count * inner
        if outer == 1 {
            return Tensor.result(outShape, storage, offset: offset + range.lowerBound * inner, inputs: [self]) { [self] out in
                addInPlace(self.gradPointer() + range.lowerBound * inner, out.gradPointer(), len)
            }
        }
        let out = Storage(count: outer * len, zeroed: false)
        let src = pointer
        for r in 0..<outer {
            (out.base + r * len).update(from: src + (r * n + range.lowerBound) * inner, count: len)
        }
        return Tensor.result(outShape, out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), gx = self.gradPointer()
            for r in 0..<outer { addInPlace(gx + (r * n + range.lowerBound) * inner, g + r * len, len) }
        }
    }

    /// Splits along `axis` into pieces of the given sizes (which must add up to the axis size).
    public func split(axis: Int, sizes: [Int]) -> [Tensor] {
        let a = axisIndex(axis, "split")
        precondition(sizes.reduce(0, +) == shape[a], "split: sizes \(sizes) do not add up to \(shape[a]) on axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: a, start..<(start + size))
        }
    }

    /// Joins tensors along `axis`; all other axes must match.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let a = first.axisIndex(axis, "concat")
        for t in tensors {
            precondition(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
                         "concat: shape \(t.shape) does not match \(first.shape) off axis \(axis)")
        }
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        let total = tensors.reduce(0) { $0 + $1.shape[a] }
        var outShape = first.shape
        outShape[a] = total
        let out = Storage(count: outer * total * inner, zeroed: false)
        var start = 0
        var starts: [Int] = []
        for t in tensors {
            starts.append(start)
            let len = t.shape[a] * inner
            for r in 0..<outer {
                (out.base + (r * total + start) * inner).update(from: t.pointer + r * len, count: len)
            }
            start += t.shape[a]
        }
        return result(outShape, out, inputs: tensors) { out in
            let g = out.gradPointer()
            for (t, s) in zip(tensors, starts) where t.needsGrad {
                let len = t.shape[a] * inner, gt = t.gradPointer()
                for r in 0..<outer { addInPlace(gt + r * len, g + (r * total + s) * inner, len) }
            }
        }
    }

    /// Axes reordered: output axis i is input axis `order[i]`. Copies.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permuted: \(order) is not a permutation of 0..<\(rank)")
        let outShape = order.map { shape[$0] }
        let out = Storage(count: count, zeroed: false)
        permuteCopy(from: pointer, shape: shape, order: order, to: out.base, accumulate: false)
        return Tensor.result(outShape, out, inputs: [self]) { [self] out in
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, o) in order.enumerated() { inverse[o] = i }
            permuteCopy(from: out.gradPointer(), shape: outShape, order: inverse, to: self.gradPointer(), accumulate: true)
        }
    }

    /// Two axes swapped. Copies.
    public func transposed(_ a0: Int, _ a1: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(axisIndex(a0, "transposed"), axisIndex(a1, "transposed"))
        return permuted(order)
    }
}

/// dst (laid out as shape permuted by `order`) = or += src permuted.
private func permuteCopy(from src: UnsafePointer<Float>, shape: [Int], order: [Int],
                         to dst: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let rank = shape.count
    let n = shape.reduce(1, *)
    guard n > 0 else { return }
    if rank == 0 { if accumulate { dst[0] += src[0] } else { dst[0] = src[0] }; return }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let outShape = order.map { shape[$0] }
    let strides = order.map { inStrides[$0] }
    let last = outShape[rank - 1], lastStride = strides[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var base = 0
    var o = 0
    while o < n {
        if accumulate {
            for j in 0..<last { dst[o + j] += src[base + j * lastStride] }
        } else {
            for j in 0..<last { dst[o + j] = src[base + j * lastStride] }
        }
        o += last
        if !advanceOuterIndex(&index, offset: &base, shape: outShape, strides: strides) { break }
    }
}
