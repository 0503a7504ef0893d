/// Causal multi-head self-attention, fused: scores, mask, softmax and the value product in one
/// op, with a hand-written backward. Heads are addressed in place through sgemm leading
/// dimensions (head h of a `[B, T, D]` tensor is the column block h·Dh..<(h+1)·Dh), so there is
/// no split-heads transpose in either direction.

/// Where one of q, k, v lives: element (b, t, c) is at base + b·batchStride + t·rowStride + c.
struct AttentionOperand {
    let base: UnsafeMutablePointer<Float>
    let grad: UnsafeMutablePointer<Float>?
    let batchStride: Int
    let rowStride: Int
}

/// Sizes of one attention call. Query i sits at absolute position keyLength - queries + i and
/// sees keys 0...that position (causal), minus those masked out.
struct AttentionShape {
    let batch: Int, heads: Int, queries: Int, keyLength: Int, keyCapacity: Int, headDim: Int
    var model: Int { heads * headDim }
}

extension Tensor {
    /// Causal multi-head attention softmax(QKᵀ·scale + mask)·V.
    ///
    /// - `query`: `[B, Tq, D]`; `key`, `value`: `[B, Tk, D]` with D = heads·headDim (heads are
    ///   contiguous column blocks, as HF GPT-2/Llama lay them out before splitting).
    /// - `keyLength`: how many leading key positions are filled (a KV cache allocated for Tk
    ///   positions); default Tk. Query i is at position keyLength - Tq + i.
    /// - `keyMask`: `B·Tk` flags, true where a key may be attended (false for padding).
    ///   A query with no visible key gets a zero output.
    /// - `scale`: default 1/√headDim.
    /// - Result: `[B, Tq, D]`.
    public static func causalSelfAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                                           keyLength: Int? = nil, keyMask: [Bool]? = nil, scale: Float? = nil) -> Tensor {
        precondition(query.rank == 3 && key.rank == 3 && value.rank == 3, "causalSelfAttention: q, k, v must be [B, T, D]; got \(query.shape), \(key.shape), \(value.shape)")
        precondition(key.shape == value.shape, "causalSelfAttention: key \(key.shape) and value \(value.shape) differ")
        let (b, tq, d) = (query.shape[0], query.shape[1], query.shape[2])
        precondition(key.shape[0] == b && key.shape[2] == d, "causalSelfAttention: key \(key.shape) does not match query \(query.shape)")
        precondition(heads > 0 && d % heads == 0, "causalSelfAttention: \(heads) heads do not divide model width \(d)")
        let cap = key.shape[1], len = keyLength ?? cap
        precondition(len <= cap && tq <= len, "causalSelfAttention: keyLength \(len) must be in \(tq)...\(cap)")
        let dims = AttentionShape(batch: b, heads: heads, queries: tq, keyLength: len, keyCapacity: cap, headDim: d / heads)
        func operand(_ t: Tensor, grad: Bool) -> AttentionOperand {
            AttentionOperand(base: t.pointer, grad: grad ? t.gradPointer() : nil, batchStride: t.shape[1] * d, rowStride: d)
        }
        return attention(dims, inputs: [query, key, value], keyMask: keyMask, scale: scale) {
            (operand(query, grad: $0 && query.needsGrad), operand(key, grad: $0 && key.needsGrad), operand(value, grad: $0 && value.needsGrad))
        }
    }

    /// Causal self-attention reading q, k, v from one fused projection `qkv` of shape
    /// `[B, T, 3D]` (columns q | k | v, HF GPT-2's `c_attn` output), without splitting it.
    public static func causalSelfAttention(qkv: Tensor, heads: Int, keyMask: [Bool]? = nil, scale: Float? = nil) -> Tensor {
        precondition(qkv.rank == 3 && qkv.shape[2] % 3 == 0, "causalSelfAttention: qkv must be [B, T, 3D], got \(qkv.shape)")
        let (b, t, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        precondition(heads > 0 && d % heads == 0, "causalSelfAttention: \(heads) heads do not divide model width \(d)")
        let dims = AttentionShape(batch: b, heads: heads, queries: t, keyLength: t, keyCapacity: t, headDim: d / heads)
        return attention(dims, inputs: [qkv], keyMask: keyMask, scale: scale) { backward in
            let grad = backward && qkv.needsGrad ? qkv.gradPointer() : nil
            func part(_ i: Int) -> AttentionOperand {
                AttentionOperand(base: qkv.pointer + i * d, grad: grad.map { $0 + i * d }, batchStride: t * 3 * d, rowStride: 3 * d)
            }
            return (part(0), part(1), part(2))
        }
    }

    private static func attention(_ s: AttentionShape, inputs: [Tensor], keyMask: [Bool]?, scale: Float?,
                                  operands: @escaping (_ backward: Bool) -> (AttentionOperand, AttentionOperand, AttentionOperand)) -> Tensor {
        if let keyMask {
            precondition(keyMask.count == s.batch * s.keyCapacity, "causalSelfAttention: keyMask has \(keyMask.count) flags, needs B·Tk = \(s.batch * s.keyCapacity)")
        }
        let scale = scale ?? 1 / Float(s.headDim).squareRoot()
        let (q, k, v) = operands(false)
        let probs = Storage(count: s.batch * s.heads * s.queries * s.keyLength, zeroed: false)
        let out = Storage(count: s.batch * s.queries * s.model, zeroed: false)
        attentionForward(s, q: q, k: k, v: v, scale: scale, keyMask: keyMask, probs: probs.base, out: out.base)
        return result([s.batch, s.queries, s.model], out, inputs: inputs) { out in
            let (q, k, v) = operands(true)
            attentionBackward(s, q: q, k: k, v: v, scale: scale, probs: probs.base, gradOut: out.gradPointer())
        }
    }
}

/// Offset of head h's block for batch b in an operand.
@inline(__always) private func at(_ o: AttentionOperand, _ b: Int, _ h: Int, _ headDim: Int) -> Int {
    b * o.batchStride + h * headDim
}

private func attentionForward(_ s: AttentionShape, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
                              scale: Float, keyMask: [Bool]?, probs: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
    let tq = s.queries, l = s.keyLength, dh = s.headDim
    let block = tq * l
    // Scores for every (batch, head): S = scale·Q·Kᵀ. OpenBLAS threads each call itself.
    for b in 0..<s.batch {
        for h in 0..<s.heads {
            sgemm(false, true, m: tq, n: l, k: dh, alpha: scale, q.base + at(q, b, h, dh), lda: q.rowStride,
                  k.base + at(k, b, h, dh), ldb: k.rowStride, beta: 0, probs + (b * s.heads + h) * block, ldc: l)
        }
    }
    // Masked, causal softmax per row, rows split over cores.
    let rows = s.batch * s.heads * tq
    let maskStorage = keyMask.map { m in m.map { $0 ? Float(0) : -Float.infinity } }
    maskStorage.withUnsafeBufferPointerIfPresent { mask in
        parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / 8 / Swift.max(l, 1))) { start, end in
            for r in start..<end {
                let b = r / (s.heads * tq), i = r % tq
                let p = probs + r * l
                let visible = l - tq + i + 1  // causal: keys 0..<visible
                if let mask {
                    addInPlace(p, mask.baseAddress! + b * s.keyCapacity, visible)
                }
                let m = rowMax(p, visible)
                if m == -.infinity {
                    p.initialize(repeating: 0, count: l)
                    continue
                }
                let total = rowExpShifted(p, p, visible, shift: m)
                rowScale(p, visible, 1 / total)
                (p + visible).initialize(repeating: 0, count: l - visible)
            }
        }
    }
    // Output O = P·V, written straight into head h's column block.
    for b in 0..<s.batch {
        for h in 0..<s.heads {
            sgemm(false, false, m: tq, n: dh, k: l, probs + (b * s.heads + h) * block, lda: l,
                  v.base + at(v, b, h, dh), ldb: v.rowStride, beta: 0, out + b * tq * s.model + h * dh, ldc: s.model)
        }
    }
}

private func attentionBackward(_ s: AttentionShape, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
                               scale: Float, probs: UnsafeMutablePointer<Float>, gradOut: UnsafeMutablePointer<Float>) {
    let tq = s.queries, l = s.keyLength, dh = s.headDim, dm = s.model
    let block = tq * l
    let dScores = Storage(count: s.batch * s.heads * block, zeroed: false)
    let ds = dScores.base
    for b in 0..<s.batch {
        for h in 0..<s.heads {
            let p = probs + (b * s.heads + h) * block
            let gO = gradOut + b * tq * dm + h * dh
            if let gv = v.grad {  // dV += Pᵀ·dO.
                sgemm(true, false, m: l, n: dh, k: tq, p, lda: l, gO, ldb: dm, beta: 1, gv + at(v, b, h, dh), ldc: v.rowStride)
            }
            // dP = dO·Vᵀ.
            sgemm(false, true, m: tq, n: l, k: dh, gO, lda: dm, v.base + at(v, b, h, dh), ldb: v.rowStride,
                  beta: 0, ds + (b * s.heads + h) * block, ldc: l)
        }
    }
    guard q.grad != nil || k.grad != nil else { return }
    // dS = P ⊙ (dP - rowsum(dP ⊙ P)), in place over dP.
    let rows = s.batch * s.heads * tq
    parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / Swift.max(l, 1))) { start, end in
        for r in start..<end {
            let p = probs + r * l, g = ds + r * l
            let dot = V8(repeating: dotOf(g, p, l))
            var j = 0
            while j + 8 <= l { store8(load8(p + j) * (load8(g + j) - dot), g + j); j += 8 }
            while j < l { g[j] = p[j] * (g[j] - dot[0]); j += 1 }
        }
    }
    for b in 0..<s.batch {
        for h in 0..<s.heads {
            let gs = ds + (b * s.heads + h) * block
            if let gq = q.grad {  // dQ += scale·dS·K.
                sgemm(false, false, m: tq, n: dh, k: l, alpha: scale, gs, lda: l, k.base + at(k, b, h, dh), ldb: k.rowStride,
                      beta: 1, gq + at(q, b, h, dh), ldc: q.rowStride)
            }
            if let gk = k.grad {  // dK += scale·dSᵀ·Q.
                sgemm(true, false, m: l, n: dh, k: tq, alpha: scale, gs, lda: l, q.base + at(q, b, h, dh), ldb: q.rowStride,
                      beta: 1, gk + at(k, b, h, dh), ldc: k.rowStride)
            }
        }
    }
}

extension Optional where Wrapped == [Float] {
    /// Runs `body` with a buffer over the array, or nil when there is none.
    fileprivate func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        switch self {
        case .some(let array): return array.withUnsafeBufferPointer { body($0) }
        case .none: return body(nil)
        }
    }
}
