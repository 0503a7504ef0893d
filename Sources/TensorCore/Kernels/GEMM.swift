/// Row-major C = alpha·op(A)·op(B) + beta·C through OpenBLAS (`BLAS.sgemm`), in the positional
/// form the ops use. Transposes are sgemm flags, never copies; leading dimensions let callers
/// address column blocks (attention heads) in place.
@inline(__always) func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int,
                             _ b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    BLAS.sgemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha,
               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}
