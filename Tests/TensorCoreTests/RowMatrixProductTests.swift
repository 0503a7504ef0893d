import Testing
@testable import TensorCore

/// The one-row kernel against OpenBLAS sgemm on odd sizes (SIMD tails, the four-row remainder,
/// the threaded split), both layouts of B, a strided x (transposed A), alpha and beta.
@Test(arguments: [(3, 5), (577, 1003), (577, 2011)])
func rowTimesMatrixMatchesSgemm(k: Int, n: Int) {
    var rng = SeededRNG(seed: 77)
    let stride = 3  // x as a column of a [k, 3] matrix when transposed
    let xs = Tensor.randn([k * stride], rng: &rng).toArray()
    let bs = Tensor.randn([n * k], rng: &rng).toArray()
    let c0 = Tensor.randn([n], rng: &rng).toArray()
    for transB in [false, true] {
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25)] {
            for incX in [1, stride] {
                let ldb = transB ? k : n
                var ref = c0, got = c0
                xs.withUnsafeBufferPointer { x in
                    bs.withUnsafeBufferPointer { b in
                        // Reference: the same row as a one-row sgemm (A transposed when strided).
                        ref.withUnsafeMutableBufferPointer { c in
                            BLAS.sgemm(transposeA: incX != 1, transposeB: transB, m: 1, n: n, k: k, alpha: alpha,
                                       a: x.baseAddress!, lda: incX == 1 ? k : incX, b: b.baseAddress!, ldb: ldb,
                                       beta: beta, c: c.baseAddress!, ldc: n)
                        }
                        got.withUnsafeMutableBufferPointer { c in
                            rowTimesMatrix(transB: transB, n: n, k: k, alpha: alpha, x.baseAddress!, incX: incX,
                                           b.baseAddress!, ldb: ldb, beta: beta, c.baseAddress!)
                        }
                    }
                }
                let worst = zip(ref, got).map { abs($0 - $1) / Swift.max(1, abs($0)) }.max() ?? 0
                #expect(worst < 1e-4, "k \(k) n \(n) transB \(transB) alpha \(alpha) beta \(beta) incX \(incX): \(worst)")
            }
        }
    }
}

@Test func rowTimesMatrixIgnoresUninitialisedOutputWhenBetaIsZero() {
    let x: [Float] = [1, 2], b: [Float] = [1, 0, 0, 1, 1, 1]  // B [2, 3]: c = 1·[1, 0, 0] + 2·[1, 1, 1]
    var c: [Float] = [.nan, .nan, .nan]
    x.withUnsafeBufferPointer { xp in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                rowTimesMatrix(transB: false, n: 3, k: 2, alpha: 1, xp.baseAddress!, incX: 1, bp.baseAddress!, ldb: 3,
                               beta: 0, cp.baseAddress!)
            }
        }
    }
    #expect(c == [3, 2, 2])
}
