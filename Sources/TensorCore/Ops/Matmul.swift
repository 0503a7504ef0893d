/// Matrix products through `cblas_sgemm`: plain, batched, and the fused linear layer.

extension Tensor {
    /// op(a)·op(b) over the last two axes, where op transposes when asked (an sgemm flag, no copy).
    ///
    /// - `a`: `[..., M, K]` (`[..., K, M]` when `transposeA`).
    /// - `b`: `[K, N]` shared by every batch (then a non-transposed `a`'s batch axes fold into M:
    ///   one sgemm), or `[..., K, N]` with the same batch axes as `a` (`[..., N, K]` when `transposeB`).
    /// - Result: `[..., M, N]`.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        let ar = a.shape[a.rank - 2], ac = a.shape[a.rank - 1]
        let br = b.shape[b.rank - 2], bc = b.shape[b.rank - 1]
        let m = transposeA ? ac : ar, k = transposeA ? ar : ac
        let kb = transposeB ? bc : br, n = transposeB ? br : bc
        precondition(k == kb, "matmul: inner sizes differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let sharedB = b.rank == 2
        if !sharedB {
            precondition(Array(b.shape.dropLast(2)) == batchShape, "matmul: batch axes differ: \(a.shape) and \(b.shape)")
        }
        let outShape = batchShape + [m, n]
        let out = Storage(count: batch * m * n, zeroed: false)
        let sa = ar * ac, sb = sharedB ? 0 : br * bc, sc = m * n
        let foldBatch = sharedB && !transposeA
        if foldBatch {
            sgemm(false, transposeB, m: batch * m, n: n, k: k, a.pointer, lda: ac, b.pointer, ldb: bc, beta: 0, out.base, ldc: n)
        } else {
            for i in 0..<batch {
                sgemm(transposeA, transposeB, m: m, n: n, k: k, a.pointer + i * sa, lda: ac,
                      b.pointer + i * sb, ldb: bc, beta: 0, out.base + i * sc, ldc: n)
            }
        }
        return result(outShape, out, inputs: [a, b]) { out in
            let g = out.gradPointer()
            if a.needsGrad {
                let ga = a.gradPointer()
                if foldBatch {
                    // dA = dC·op(B)ᵀ.
                    sgemm(false, !transposeB, m: batch * m, n: k, k: n, g, lda: n, b.pointer, ldb: bc, beta: 1, ga, ldc: ac)
                } else {
                    for i in 0..<batch {
                        if transposeA {  // A is [K, M]: dA = op(B)·dCᵀ.
                            sgemm(transposeB, true, m: k, n: m, k: n, b.pointer + i * sb, lda: bc, g + i * sc, ldb: n,
                                  beta: 1, ga + i * sa, ldc: ac)
                        } else {
                            sgemm(false, !transposeB, m: m, n: k, k: n, g + i * sc, lda: n, b.pointer + i * sb, ldb: bc,
                                  beta: 1, ga + i * sa, ldc: ac)
                        }
                    }
                }
            }
            if b.needsGrad {
                let gb = b.gradPointer()
                if foldBatch {
                    if transposeB {  // B is [N, K]: dB = dCᵀ·A.
                        sgemm(true, false, m: n, n: k, k: batch * m, g, lda: n, a.pointer, ldb: ac, beta: 1, gb, ldc: bc)
                    } else {  // dB = Aᵀ·dC.
                        sgemm(true, false, m: k, n: n, k: batch * m, a.pointer, lda: ac, g, ldb: n, beta: 1, gb, ldc: bc)
                    }
                } else {
                    for i in 0..<batch {
                        if transposeB {  // dB = dCᵀ·op(A).
                            sgemm(true, transposeA, m: n, n: k, k: m, g + i * sc, lda: n, a.pointer + i * sa, ldb: ac,
                                  beta: 1, gb + i * sb, ldc: bc)
                        } else {  // dB = op(A)ᵀ·dC.
                            sgemm(!transposeA, false, m: k, n: n, k: m, a.pointer + i * sa, lda: ac, g + i * sc, ldb: n,
                                  beta: 1, gb + i * sb, ldc: bc)
                        }
                    }
                }
            }
        }
    }

    /// A dense layer x·W + bias over the last axis of `x` (`[..., in]` → `[..., out]`), one sgemm.
    ///
    /// - `weight`: `[in, out]` (HF GPT-2 `Conv1D` layout), or `[out, in]` (PyTorch `nn.Linear`
    ///   layout) when `transposedWeight` is true.
    /// - `bias`: `[out]` or nil.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, transposedWeight: Bool = false) -> Tensor {
        precondition(weight.rank == 2, "linear: weight must be 2-D, got \(weight.shape)")
        let inF = transposedWeight ? weight.shape[1] : weight.shape[0]
        let outF = transposedWeight ? weight.shape[0] : weight.shape[1]
        precondition(x.shape.last == inF, "linear: input \(x.shape) does not end in \(inF) (weight \(weight.shape)\(transposedWeight ? " as [out, in]" : ""))")
        if let bias { precondition(bias.count == outF, "linear: bias \(bias.shape) is not [\(outF)]") }
        let rows = x.count / Swift.max(inF, 1)
        let outShape = Array(x.shape.dropLast()) + [outF]
        let out = Storage(count: rows * outF, zeroed: bias == nil)
        if let bias {
            // Each row starts as the bias; the sgemm then adds x·W (beta = 1).
            let bp = bias.pointer, o = out.base
            parallelRows(rows, length: outF) { r in (o + r * outF).update(from: bp, count: outF) }
        }
        let ldw = weight.shape[1]
        sgemm(false, transposedWeight, m: rows, n: outF, k: inF, x.pointer, lda: inF, weight.pointer, ldb: ldw,
              beta: bias == nil ? 0 : 1, out.base, ldc: outF)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return result(outShape, out, inputs: inputs) { out in
            let g = out.gradPointer()
            if x.needsGrad {
                sgemm(false, !transposedWeight, m: rows, n: inF, k: outF, g, lda: outF, weight.pointer, ldb: ldw,
                      beta: 1, x.gradPointer(), ldc: inF)
            }
            if weight.needsGrad {
                if transposedWeight {  // dW[out, in] += Gᵀ·X.
                    sgemm(true, false, m: outF, n: inF, k: rows, g, lda: outF, x.pointer, ldb: inF, beta: 1, weight.gradPointer(), ldc: inF)
                } else {  // dW[in, out] += Xᵀ·G.
                    sgemm(true, false, m: inF, n: outF, k: rows, x.pointer, lda: inF, g, ldb: outF, beta: 1, weight.gradPointer(), ldc: outF)
                }
            }
            if let bias, bias.needsGrad { columnSums(g, rows: rows, columns: outF, into: bias.gradPointer()) }
        }
    }
}

/// dst[j] += Σ_r src[r, j], split over column blocks so cores never write the same element.
func columnSums(_ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>) {
    let blocks = (columns + 63) / 64
    parallelRanges(blocks, grain: Swift.max(1, blocks * 64 * 256 / Swift.max(rows * columns, 1))) { s, e in
        let c0 = s * 64, c1 = Swift.min(e * 64, columns)
        for r in 0..<rows { addInPlace(dst + c0, src + r * columns + c0, c1 - c0) }
    }
}
