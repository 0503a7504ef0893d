/// One-row products c = alpha·x·op(B) + beta·c (a decoding step), done here rather than in
/// OpenBLAS: its sgemm packs all of op(B) for the one row, and its sgemv hands every call to its
/// worker threads, which on a machine where TensorCore also runs its own work cost far more than
/// the product (profiled: 34–70 % of batch-1 generation in `exec_blas_async`). The product is
/// memory-bound, so a plain SIMD loop that streams B once is as fast as BLAS gets here.

/// Multiply-adds below which a product stays on the calling thread: a hand-off costs a few
/// microseconds, about what half a million multiply-adds take (and attention tiles, which call
/// this from inside their own parallel loop, stay far below it).
let rowProductGrain = 1 << 19

/// c[0..<n] = alpha·Σₖ x[k·incX]·op(B)[k, :] + beta·c[0..<n]. `transB`: B is [n, k] (row
/// stride `ldb`) and each output is a contiguous dot product; otherwise B is [k, n] and the
/// rows of B are accumulated into c. With beta == 0, c is never read (it may be uninitialised).
func rowTimesMatrix(transB: Bool, n: Int, k: Int, alpha: Float, _ x: UnsafePointer<Float>, incX: Int,
                    _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>) {
    if n == 0 { return }
    if k == 0 {
        for j in 0..<n { c[j] = beta == 0 ? 0 : beta * c[j] }
        return
    }
    // A transposed x (a column of A) is strided: gather it once so the inner loops are contiguous.
    withUnsafeTemporaryAllocation(of: Float.self, capacity: incX == 1 ? 0 : k) { gathered in
        var xs = x
        if incX != 1, let g = gathered.baseAddress {
            for i in 0..<k { g[i] = x[i * incX] }
            xs = UnsafePointer(g)
        }
        let grain = Swift.max(8, rowProductGrain / k)
        parallelRanges(n, grain: grain) { j0, j1 in
            if transB {
                dotRows(j0, j1, k: k, alpha: alpha, xs, b, ldb: ldb, beta: beta, c)
            } else {
                accumulateRows(j0, j1, k: k, alpha: alpha, xs, b, ldb: ldb, beta: beta, c)
            }
        }
    }
}

/// c[j] = alpha·⟨x, B[j, 0..<k]⟩ + beta·c[j] for j in j0..<j1; four rows at a time share each
/// load of x, two accumulators per row hide the add latency.
private func dotRows(_ j0: Int, _ j1: Int, k: Int, alpha: Float, _ x: UnsafePointer<Float>,
                     _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>) {
    let k16 = k & ~15, k8 = k & ~7
    @inline(__always) func finish(_ j: Int, _ dot: Float) {
        c[j] = beta == 0 ? alpha * dot : alpha * dot + beta * c[j]
    }
    var j = j0
    while j + 4 <= j1 {
        let r0 = b + j * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb
        var a0 = V8(), a1 = V8(), a2 = V8(), a3 = V8()
        var e0 = V8(), e1 = V8(), e2 = V8(), e3 = V8()
        var i = 0
        while i < k16 {
            let xa = load8(x + i), xb = load8(x + i + 8)
            a0 += xa * load8(r0 + i); e0 += xb * load8(r0 + i + 8)
            a1 += xa * load8(r1 + i); e1 += xb * load8(r1 + i + 8)
            a2 += xa * load8(r2 + i); e2 += xb * load8(r2 + i + 8)
            a3 += xa * load8(r3 + i); e3 += xb * load8(r3 + i + 8)
            i += 16
        }
        if i < k8 {
            let xa = load8(x + i)
            a0 += xa * load8(r0 + i); a1 += xa * load8(r1 + i)
            a2 += xa * load8(r2 + i); a3 += xa * load8(r3 + i)
            i += 8
        }
        var s0 = (a0 + e0).sum(), s1 = (a1 + e1).sum(), s2 = (a2 + e2).sum(), s3 = (a3 + e3).sum()
        while i < k {
            let xi = x[i]
            s0 += xi * r0[i]; s1 += xi * r1[i]; s2 += xi * r2[i]; s3 += xi * r3[i]
            i += 1
        }
        finish(j, s0); finish(j + 1, s1); finish(j + 2, s2); finish(j + 3, s3)
        j += 4
    }
    while j < j1 {
        let r = b + j * ldb
        var a = V8(), e = V8()
        var i = 0
        while i < k16 {
            a += load8(x + i) * load8(r + i); e += load8(x + i + 8) * load8(r + i + 8)
            i += 16
        }
        if i < k8 { a += load8(x + i) * load8(r + i); i += 8 }
        var s = (a + e).sum()
        while i < k { s += x[i] * r[i]; i += 1 }
        finish(j, s)
        j += 1
    }
}

/// c[j0..<j1] = alpha·Σₖ x[k]·B[k, j0..<j1] + beta·c[j0..<j1]. Columns go in blocks that stay in
/// L1 while four rows of B at a time are added in, so c is loaded and stored once per four rows.
private func accumulateRows(_ j0: Int, _ j1: Int, k: Int, alpha: Float, _ x: UnsafePointer<Float>,
                            _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>) {
    let block = 1024
    var jb = j0
    while jb < j1 {
        let je = Swift.min(jb + block, j1)
        let width = je - jb, w8 = width & ~7
        let cb = c + jb
        if beta == 0 {
            cb.update(repeating: 0, count: width)
        } else if beta != 1 {
            for j in 0..<width { cb[j] *= beta }
        }
        var r = 0
        while r + 4 <= k {
            let x0 = alpha * x[r], x1 = alpha * x[r + 1], x2 = alpha * x[r + 2], x3 = alpha * x[r + 3]
            let v0 = V8(repeating: x0), v1 = V8(repeating: x1), v2 = V8(repeating: x2), v3 = V8(repeating: x3)
            let b0 = b + r * ldb + jb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
            var j = 0
            while j < w8 {
                let sum = load8(cb + j) + v0 * load8(b0 + j) + v1 * load8(b1 + j) + v2 * load8(b2 + j) + v3 * load8(b3 + j)
                store8(sum, cb + j)
                j += 8
            }
            while j < width {
                cb[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j]
                j += 1
            }
            r += 4
        }
        while r < k {
            let x0 = alpha * x[r], v0 = V8(repeating: x0)
            let b0 = b + r * ldb + jb
            var j = 0
            while j < w8 { store8(load8(cb + j) + v0 * load8(b0 + j), cb + j); j += 8 }
            while j < width { cb[j] += x0 * b0[j]; j += 1 }
            r += 1
        }
        jb = je
    }
}
