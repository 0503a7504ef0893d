/// Grouped-query attention's sharing of key/value heads (Ainslie et al., 2023): each of
/// `kvHeads` heads serves `groups` consecutive query heads.
extension Tensor {
    /// `[..., kvHeads·headDim]` → `[..., kvHeads·groups·headDim]`, head h of the result being
    /// head h / groups of the input (a copy; the backward sums each group's gradients).
    public func repeatingHeads(groups: Int, headDim: Int) -> Tensor {
        let (rows, width) = lastAxisRows
        precondition(groups >= 1 && headDim > 0 && width % headDim == 0, "repeatingHeads: width \(width) is not a multiple of head width \(headDim)")
        if groups == 1 { return self }
        let kvHeads = width / headDim, outWidth = width * groups
        let out = Storage(count: rows * outWidth, zeroed: false)
        let x = pointer, y = out.base
        for r in 0..<rows {
            for h in 0..<(kvHeads * groups) {
                (y + r * outWidth + h * headDim).update(from: x + r * width + (h / groups) * headDim, count: headDim)
            }
        }
        return Tensor.result(Array(shape.dropLast()) + [outWidth], out, inputs: [self]) { [self] out in
            guard self.needsGrad else { return }
            let g = out.gradPointer(), gx = self.gradPointer()
            for r in 0..<rows {
                for h in 0..<(kvHeads * groups) {
                    addInPlace(gx + r * width + (h / groups) * headDim, g + r * outWidth + h * headDim, headDim)
                }
            }
        }
    }
}
