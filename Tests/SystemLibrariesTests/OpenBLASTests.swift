import CBLAS
import Testing

/// The CBLAS module links the real OpenBLAS: a row-major sgemm matches a product worked by hand.
@Test func sgemmMatchesHandComputedProduct() {
    // A (2x3) · B (3x2):
    // [1 2 3]   [ 7  8]   [1*7+2*9+3*11  1*8+2*10+3*12]   [ 58  64]
    // [4 5 6] · [ 9 10] = [4*7+5*9+6*11  4*8+5*10+6*12] = [139 154]
    //           [11 12]
    let a: [Float] = [1, 2, 3, 4, 5, 6]
    let b: [Float] = [7, 8, 9, 10, 11, 12]
    var c: [Float] = [1, 1, 1, 1]
    // alpha = 2, beta = 0.5 exercises both scaling terms: C = 2·A·B + 0.5·C.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 3, 2, a, 3, b, 2, 0.5, &c, 2)
    #expect(c == [116.5, 128.5, 278.5, 308.5])
}

@Test func sgemmWithTransposedOperand() {
    // Aᵀ stored as 3x2 (so A is 2x3 as above); same product, no scaling.
    let aT: [Float] = [1, 4, 2, 5, 3, 6]
    let b: [Float] = [7, 8, 9, 10, 11, 12]
    var c = [Float](repeating: 0, count: 4)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, 2, 2, 3, 1, aT, 2, b, 2, 0, &c, 2)
    #expect(c == [58, 64, 139, 154])
}
