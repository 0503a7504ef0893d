import CBLAS

/// Row-major C = alpha·op(A)·op(B) + beta·C through OpenBLAS, in the positional form the ops
/// use. Transposes are BLAS flags, never copies; leading dimensions let callers address column
/// blocks (attention heads) in place. A single-row product (one decoding step) goes to sgemv:
/// OpenBLAS 0.3.21's sgemm would pack the whole of op(B) for that one row.
@inline(__always) func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int,
                             _ b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if m == 1 && k > 0 {
        // c[0, :] = alpha·op(B)ᵀ·x + beta·c, x = op(A)'s one row (strided by lda when transposed).
        if beta == 0 { c.initialize(repeating: 0, count: n) }
        let incX = blasint(transA ? lda : 1)
        if transB {  // B is [n, k]: y = B·x.
            cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(n), blasint(k), alpha, b, blasint(ldb), a, incX, beta, c, 1)
        } else {  // B is [k, n]: y = Bᵀ·x.
            cblas_sgemv(CblasRowMajor, CblasTrans, blasint(k), blasint(n), alpha, b, blasint(ldb), a, incX, beta, c, 1)
        }
        return
    }
    BLAS.sgemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha,
               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}
