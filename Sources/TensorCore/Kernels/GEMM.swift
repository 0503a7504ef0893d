import CBLAS

/// Row-major C = alpha·op(A)·op(B) + beta·C through OpenBLAS, in the positional form the ops
/// use. Transposes are BLAS flags, never copies; leading dimensions let callers address column
/// blocks (attention heads) in place. A single-row product (one decoding step) goes to
/// `rowTimesMatrix`: OpenBLAS 0.3.21's sgemm would pack the whole of op(B) for that one row, and
/// its sgemv hands even tiny products to its threads.
@inline(__always) func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int,
                             _ b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if m == 1 {
        // x = op(A)'s one row, strided by lda when A is transposed.
        rowTimesMatrix(transB: transB, n: n, k: k, alpha: alpha, a, incX: transA ? lda : 1, b, ldb: ldb, beta: beta, c)
        return
    }
    BLAS.sgemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha,
               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}
