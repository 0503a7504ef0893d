/// Inverted dropout (Srivastava et al., 2014): zero each element with probability p and scale
/// the rest by 1/(1-p), so evaluation needs no rescaling.

extension Tensor {
    /// Dropout with drop probability `p`, drawing the mask from `rng`. With p == 0 (or under
    /// evaluation, where callers simply skip it) the input is returned unchanged.
    public func dropout(p: Float, rng: inout SeededRNG) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: p must be in [0, 1), got \(p)")
        if p == 0 { return self }
        let keep = 1 / (1 - p)
        let mask = Storage(count: count, zeroed: false)
        let m = mask.base
        // 24-bit threshold compare: one generator call per element.
        let threshold = UInt64(Double(p) * 16_777_216.0)
        for i in 0..<count { m[i] = (rng.next() >> 40) < threshold ? 0 : keep }
        let out = binaryStorage(MulKernel.self, pointer, shape, m, shape, outShape: shape)
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), gx = self.gradPointer(), m = mask.base
            var i = 0
            while i + 8 <= count { store8(load8(gx + i) + load8(g + i) * load8(m + i), gx + i); i += 8 }
            while i < count { gx[i] += g[i] * m[i]; i += 1 }
        }
    }
}
