/// Sums and means over axes.

extension Tensor {
    /// Resolves a possibly negative axis.
    func axisIndex(_ axis: Int, _ op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(op): axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// The sum over one axis, keeping it as size 1.
    fileprivate func sumKeepingAxis(_ axis: Int) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape[axis] = 1
        let out = Storage(count: outer * inner, zeroed: true)
        let x = pointer, o = out.base
        if inner == 1 {
            parallelRanges(outer, grain: Swift.max(1, elementwiseGrain / Swift.max(n, 1))) { s, e in
                for r in s..<e { o[r] = sumOf(x + r * n, n) }
            }
        } else {
            parallelRanges(outer, grain: Swift.max(1, elementwiseGrain / Swift.max(n * inner, 1))) { s, e in
                for r in s..<e {
                    for j in 0..<n { addInPlace(o + r * inner, x + (r * n + j) * inner, inner) }
                }
            }
        }
        return Tensor.result(outShape, out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), gx = self.gradPointer()
            parallelRanges(outer, grain: 1) { s, e in
                for r in s..<e {
                    for j in 0..<n {
                        let dst = gx + (r * n + j) * inner
                        if inner == 1 { dst[0] += g[r] } else { addInPlace(dst, g + r * inner, inner) }
                    }
                }
            }
        }
    }

    /// The sum over `axes` (negative axes count from the end); `keepDims` keeps them as size 1.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let resolved = Set(axes.map { axisIndex($0, "sum") }).sorted(by: >)
        var t = self
        for a in resolved { t = t.sumKeepingAxis(a) }
        if keepDims { return t }
        let kept = shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        return t.reshaped(kept)
    }

    /// The sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// The sum of all elements, as a scalar tensor (shape `[]`).
    public func sum() -> Tensor {
        let flat = reshaped([count])
        return flat.sumKeepingAxis(0).reshaped([])
    }

    /// The mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map { axisIndex($0, "mean") }).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(n))
    }

    /// The mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// The mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }
}
