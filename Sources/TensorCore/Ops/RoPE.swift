import Foundation

/// Rotary position embedding (Su et al., 2021, RoFormer) as Llama applies it, on the
/// adjacent-pair layout of ggml / GGUF (`LLAMA_ROPE_TYPE_NORM`): within each head of width
/// `headDim`, the pair (x[2i], x[2i+1]) is rotated by the angle pos · base^(−2i/headDim).
/// (HuggingFace rotates (x[i], x[i + headDim/2]) instead; GGUF converters permute the q/k
/// weight rows so that both give the same attention scores.)
extension Tensor {
    /// Rotates every head of `[..., T, heads·headDim]` by its token's position. `positions`
    /// has one entry per row of the last axis (`count / lastAxis` entries, e.g. B·T). The
    /// backward rotates the gradient by the opposite angle.
    public func rotaryEmbedding(positions: [Int], headDim: Int, base: Float) -> Tensor {
        let (rows, width) = lastAxisRows
        precondition(headDim % 2 == 0 && width % headDim == 0, "rotaryEmbedding: head width \(headDim) must be even and divide \(width)")
        precondition(positions.count == rows, "rotaryEmbedding: \(positions.count) positions for \(rows) rows")
        let table = RotaryTable(positions: positions, headDim: headDim, base: base)
        let out = Storage(count: count, zeroed: false)
        table.rotate(pointer, into: out.base, rows: rows, width: width, sign: 1)
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            guard self.needsGrad else { return }
            let g = Storage(count: self.count, zeroed: false)
            table.rotate(out.gradPointer(), into: g.base, rows: rows, width: width, sign: -1)
            addInPlace(self.gradPointer(), g.base, self.count)
        }
    }
}

/// cos and sin of every (row, pair) angle, computed once per call (in Double, then rounded).
struct RotaryTable {
    let cos: [Float], sin: [Float]
    let half: Int

    init(positions: [Int], headDim: Int, base: Float) {
        half = headDim / 2
        var c = [Float](repeating: 0, count: positions.count * half)
        var s = c
        let inverse = (0..<half).map { Foundation.pow(Double(base), -2 * Double($0) / Double(headDim)) }
        for (r, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Double(p) * inverse[i]
                c[r * half + i] = Float(Foundation.cos(angle))
                s[r * half + i] = Float(Foundation.sin(angle))
            }
        }
        cos = c; sin = s
    }

    /// y = R(sign·θ)·x for each adjacent pair of every head of every row.
    func rotate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, width: Int, sign: Float) {
        let heads = width / (2 * half)
        cos.withUnsafeBufferPointer { cp in
            sin.withUnsafeBufferPointer { sp in
                for r in 0..<rows {
                    let c = cp.baseAddress! + r * half, s = sp.baseAddress! + r * half
                    for h in 0..<heads {
                        let xo = x + r * width + h * 2 * half, yo = y + r * width + h * 2 * half
                        for i in 0..<half {
                            let a = xo[2 * i], b = xo[2 * i + 1], sn = sign * s[i]
                            yo[2 * i] = a * c[i] - b * sn
                            yo[2 * i + 1] = a * sn + b * c[i]
                        }
                    }
                }
            }
        }
    }
}
