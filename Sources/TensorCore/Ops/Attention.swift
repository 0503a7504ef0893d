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
    /// Query heads per key/value head: query head h reads key/value head h / groups.
    var groups = 1
    var model: Int { heads * headDim }
    var keyValueHeads: Int { heads / groups }
}

extension Tensor {
    /// Causal multi-head attention softmax(QKᵀ·scale + mask)·V.
    ///
    /// - `query`: `[B, Tq, D]`; `key`, `value`: `[B, Tk, D / groups]` with D = heads·headDim
    ///   (heads are contiguous column blocks, as HF GPT-2/Llama lay them out before splitting).
    /// - `groups`: query heads per key/value head (grouped-query attention, Ainslie et al.
    ///   2023): query head h reads key/value head h / groups, which is never copied out.
    /// - `keyLength`: how many leading key positions are filled (a KV cache allocated for Tk
    ///   positions); default Tk. Query i is at position keyLength - Tq + i.
    /// - `keyMask`: `B·Tk` flags, true where a key may be attended (false for padding).
    ///   A query with no visible key gets a zero output.
    /// - `scale`: default 1/√headDim.
    /// - Result: `[B, Tq, D]`.
    public static func causalSelfAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, groups: Int = 1,
                                           keyLength: Int? = nil, keyMask: [Bool]? = nil, scale: Float? = nil) -> Tensor {
        precondition(query.rank == 3 && key.rank == 3 && value.rank == 3, "causalSelfAttention: q, k, v must be [B, T, D]; got \(query.shape), \(key.shape), \(value.shape)")
        precondition(key.shape == value.shape, "causalSelfAttention: key \(key.shape) and value \(value.shape) differ")
        let (b, tq, d) = (query.shape[0], query.shape[1], query.shape[2])
        precondition(heads > 0 && d % heads == 0, "causalSelfAttention: \(heads) heads do not divide model width \(d)")
        precondition(groups > 0 && heads % groups == 0, "causalSelfAttention: \(groups) query heads per key/value head do not divide \(heads) heads")
        precondition(key.shape[0] == b && key.shape[2] * groups == d, "causalSelfAttention: key \(key.shape) does not match query \(query.shape) with \(groups) query heads per key head")
        let cap = key.shape[1], len = keyLength ?? cap
        precondition(len <= cap && tq <= len, "causalSelfAttention: keyLength \(len) must be in \(tq)...\(cap)")
        let dims = AttentionShape(batch: b, heads: heads, queries: tq, keyLength: len, keyCapacity: cap, headDim: d / heads, groups: groups)
        func operand(_ t: Tensor, grad: Bool) -> AttentionOperand {
            AttentionOperand(base: t.pointer, grad: grad ? t.gradPointer() : nil, batchStride: t.shape[1] * t.shape[2], rowStride: t.shape[2])
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

/// Attention runs per (batch, head) pair, the pairs split over cores. Inside a pair, causal
/// attention only needs the lower triangle, so the products run over tiles (query block × key
/// block, 64×64 for 64-wide heads) on or below the diagonal: about 5/8 of the full products at
/// T = 256. Tiles stay within OpenBLAS's single-thread threshold, so each core's sgemm calls
/// stay on that core instead of contending for OpenBLAS's thread pool.
private let attentionTile = 64

/// OpenBLAS runs an sgemm on the calling thread when m·n·k ≤ 4·65536 (its
/// GEMM_MULTITHREAD_THRESHOLD × SMP_THRESHOLD_MIN); tiles stay within it.
private let singleThreadProduct = 4 * 65_536

/// Query rows per block: 64 for heads up to 64 wide, fewer for wider heads (32 at 128) so a
/// block × 64 keys × headDim product stays single-threaded.
private func queryBlockRows(_ s: AttentionShape) -> Int {
    Swift.max(8, Swift.min(attentionTile, singleThreadProduct / (attentionTile * Swift.max(s.headDim, 1)) / 8 * 8))
}

/// The tiles of one (batch, head): query rows r0..<r1 against keys j0..<j1, in query-block
/// order with key tiles ascending. Key tiles are 64 wide for full query blocks and wider for
/// short ones (a decoding step's single query takes all its keys in one product), keeping
/// rows·keys·headDim near the single-thread threshold.
private func causalTiles(_ s: AttentionShape) -> [(r0: Int, r1: Int, j0: Int, j1: Int)] {
    let offset = s.keyLength - s.queries
    var tiles: [(Int, Int, Int, Int)] = []
    let rowsPerBlock = queryBlockRows(s)
    for r0 in stride(from: 0, to: s.queries, by: rowsPerBlock) {
        let r1 = Swift.min(r0 + rowsPerBlock, s.queries)
        let visible = offset + r1  // the block's last query sees keys 0..<visible
        let keyTile = Swift.max(attentionTile, singleThreadProduct / Swift.max((r1 - r0) * s.headDim, 1) / attentionTile * attentionTile)
        for j0 in stride(from: 0, to: visible, by: keyTile) {
            tiles.append((r0, r1, j0, Swift.min(j0 + keyTile, visible)))
        }
    }
    return tiles
}

/// (Batch, head) pairs per parallel chunk in the forward pass. A decoding step with one query
/// row does about 2·keys·headDim multiply-adds per pair (≈ 35k at 272 keys, 64-wide heads), so
/// at batch 1 all heads together are far cheaper than handing half of them to a GCD worker, a
/// hand-off that was paid per layer per token (1,024 per 256-token generation) and whose wake-up
/// latency depends on what else holds the other core. Pairs therefore only split over cores once
/// a chunk holds about `rowProductGrain` multiply-adds (the threshold the one-row products use).
private func forwardPairGrain(_ s: AttentionShape) -> Int {
    let perPair = 2 * s.queries * s.keyLength * s.headDim
    return Swift.max(1, rowProductGrain / Swift.max(perPair, 1))
}

private func attentionForward(_ s: AttentionShape, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
                              scale: Float, keyMask: [Bool]?, probs: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
    let tq = s.queries, l = s.keyLength, dh = s.headDim
    let block = tq * l
    let tiles = causalTiles(s)
    let maskStorage = keyMask.map { m in m.map { $0 ? Float(0) : -Float.infinity } }
    maskStorage.withUnsafeBufferPointerIfPresent { mask in
        parallelRanges(s.batch * s.heads, grain: forwardPairGrain(s)) { start, end in
            for bh in start..<end {
                let b = bh / s.heads, h = bh % s.heads
                let p = probs + bh * block
                let kvHead = h / s.groups
                let qb = q.base + at(q, b, h, dh), kb = k.base + at(k, b, kvHead, dh), vb = v.base + at(v, b, kvHead, dh)
                // S = scale·Q·Kᵀ on the visible tiles.
                for (r0, r1, j0, j1) in tiles {
                    sgemm(false, true, m: r1 - r0, n: j1 - j0, k: dh, alpha: scale, qb + r0 * q.rowStride, lda: q.rowStride,
                          kb + j0 * k.rowStride, ldb: k.rowStride, beta: 0, p + r0 * l + j0, ldc: l)
                }
                // Masked causal softmax per row; entries past a row's last visible key become 0.
                for i in 0..<tq {
                    let row = p + i * l
                    let visible = l - tq + i + 1
                    if let mask { addInPlace(row, mask.baseAddress! + b * s.keyCapacity, visible) }
                    let m = rowMax(row, visible)
                    if m == -.infinity {
                        row.initialize(repeating: 0, count: l)
                        continue
                    }
                    let total = rowExpShifted(row, row, visible, shift: m)
                    rowScale(row, visible, 1 / total)
                    (row + visible).initialize(repeating: 0, count: l - visible)
                }
                // O = P·V, accumulated over key tiles straight into head h's column block.
                let ob = out + b * tq * s.model + h * dh
                for (r0, r1, j0, j1) in tiles {
                    sgemm(false, false, m: r1 - r0, n: dh, k: j1 - j0, p + r0 * l + j0, lda: l,
                          vb + j0 * v.rowStride, ldb: v.rowStride, beta: j0 == 0 ? 0 : 1, ob + r0 * s.model, ldc: s.model)
                }
            }
        }
    }
}

private func attentionBackward(_ s: AttentionShape, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
                               scale: Float, probs: UnsafeMutablePointer<Float>, gradOut: UnsafeMutablePointer<Float>) {
    let tq = s.queries, l = s.keyLength, dh = s.headDim, dm = s.model
    let block = tq * l
    let tiles = causalTiles(s)
    let rowsPerBlock = queryBlockRows(s)
    // The query heads that share a key/value head run on one thread: they add into the same
    // dK and dV blocks.
    parallelRanges(s.batch * s.keyValueHeads, grain: 1) { start, end in
        // dP / dS for one (batch, head) at a time.
        let g = UnsafeMutablePointer<Float>.allocate(capacity: block)
        defer { g.deallocate() }
        for unit in start..<end {
            let b = unit / s.keyValueHeads, kvHead = unit % s.keyValueHeads
            for h in (kvHead * s.groups)..<((kvHead + 1) * s.groups) {
                headBackward(b: b, h: h, kvHead: kvHead)
            }
        }

        func headBackward(b: Int, h: Int, kvHead: Int) {
            let p = probs + (b * s.heads + h) * block
            let qb = q.base + at(q, b, h, dh), kb = k.base + at(k, b, kvHead, dh), vb = v.base + at(v, b, kvHead, dh)
            let gO = gradOut + b * tq * dm + h * dh
            for (r0, r1, j0, j1) in tiles {
                if let gv = v.grad {  // dV += Pᵀ·dO.
                    sgemm(true, false, m: j1 - j0, n: dh, k: r1 - r0, p + r0 * l + j0, lda: l, gO + r0 * dm, ldb: dm,
                          beta: 1, gv + at(v, b, kvHead, dh) + j0 * v.rowStride, ldc: v.rowStride)
                }
                // dP = dO·Vᵀ.
                sgemm(false, true, m: r1 - r0, n: j1 - j0, k: dh, gO + r0 * dm, lda: dm, vb + j0 * v.rowStride, ldb: v.rowStride,
                      beta: 0, g + r0 * l + j0, ldc: l)
            }
            guard q.grad != nil || k.grad != nil else { return }
            // dS = P ⊙ (dP - rowsum(dP ⊙ P)), zero past each row's visible keys (a tile can
            // extend past the visible keys of the block's earlier rows).
            for i in 0..<tq {
                let pr = p + i * l, gr = g + i * l
                let visible = l - tq + i + 1
                let dot = V8(repeating: dotOf(gr, pr, visible))
                var j = 0
                while j + 8 <= visible { store8(load8(pr + j) * (load8(gr + j) - dot), gr + j); j += 8 }
                while j < visible { gr[j] = pr[j] * (gr[j] - dot[0]); j += 1 }
                let blockVisible = l - tq + Swift.min((i / rowsPerBlock + 1) * rowsPerBlock, tq)
                if blockVisible > visible { (gr + visible).initialize(repeating: 0, count: blockVisible - visible) }
            }
            for (r0, r1, j0, j1) in tiles {
                if let gq = q.grad {  // dQ += scale·dS·K.
                    sgemm(false, false, m: r1 - r0, n: dh, k: j1 - j0, alpha: scale, g + r0 * l + j0, lda: l,
                          kb + j0 * k.rowStride, ldb: k.rowStride, beta: 1, gq + at(q, b, h, dh) + r0 * q.rowStride, ldc: q.rowStride)
                }
                if let gk = k.grad {  // dK += scale·dSᵀ·Q.
                    sgemm(true, false, m: j1 - j0, n: dh, k: r1 - r0, alpha: scale, g + r0 * l + j0, lda: l,
                          qb + r0 * q.rowStride, ldb: q.rowStride, beta: 1, gk + at(k, b, kvHead, dh) + j0 * k.rowStride, ldc: k.rowStride)
                }
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
