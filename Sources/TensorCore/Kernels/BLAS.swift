import CBLAS

/// Direct access to the BLAS TensorCore runs on, for code that manages its own buffers (KV
/// caches, benchmarks) and for reporting which OpenBLAS kernels are in use.
public enum BLAS {
    /// Row-major C = alpha·op(A)·op(B) + beta·C, exactly the `cblas_sgemm` call `Tensor.matmul`
    /// makes. `lda`/`ldb`/`ldc` are row strides in elements.
    @inlinable
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// The OpenBLAS kernel family in use (e.g. "SkylakeX", "Haswell"); it follows
    /// `OPENBLAS_CORETYPE` when that is set.
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// OpenBLAS's build configuration string.
    public static var configuration: String { openblas_get_config().map { String(cString: $0) } ?? "" }

    /// The number of threads OpenBLAS uses for one call.
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
