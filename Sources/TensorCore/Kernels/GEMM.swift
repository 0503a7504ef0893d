import CBLAS

/// Row-major C = alpha·op(A)·op(B) + beta·C through OpenBLAS. Transposes are sgemm flags, never
/// copies; leading dimensions let callers address column blocks (attention heads) in place.
@inline(__always) func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int,
                             _ b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}
