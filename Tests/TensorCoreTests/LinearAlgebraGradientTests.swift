import Testing
@testable import TensorCore

@Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
func matmulGradients(transposeA: Bool, transposeB: Bool) {
    var rng = SeededRNG(seed: 10)
    let (m, k, n) = (3, 4, 5)
    let a2 = Tensor.randn(transposeA ? [k, m] : [m, k], rng: &rng)
    let b2 = Tensor.randn(transposeB ? [n, k] : [k, n], rng: &rng)
    checkGradients([a2, b2]) { Tensor.matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
    // Batched on both sides.
    let a3 = Tensor.randn(transposeA ? [2, k, m] : [2, m, k], rng: &rng)
    let b3 = Tensor.randn(transposeB ? [2, n, k] : [2, k, n], rng: &rng)
    checkGradients([a3, b3]) { Tensor.matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
    // Batched a, shared b (the batch folds into one sgemm when a is not transposed).
    checkGradients([a3, b2]) { Tensor.matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
    // One-row products (the sgemv path), against the same product done as a 2-row one.
    let row = Tensor.randn(transposeA ? [k, 1] : [1, k], rng: &rng)
    checkGradients([row, b2]) { Tensor.matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
    let twoRows = Tensor.concat([row, row], axis: transposeA ? 1 : 0)
    let single = Tensor.matmul(row, b2, transposeA: transposeA, transposeB: transposeB).toArray()
    let double = Tensor.matmul(twoRows, b2, transposeA: transposeA, transposeB: transposeB).toArray()
    for (s, d) in zip(single, double.prefix(n)) { #expect(abs(s - d) < 1e-5) }
}

@Test func matmulMatchesExplicitProduct() {
    let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], data: [7, 8, 9, 10, 11, 12])
    #expect(Tensor.matmul(a, b).toArray() == [58, 64, 139, 154])
    #expect(Tensor.matmul(b, a, transposeA: true, transposeB: true).toArray() == [58, 139, 64, 154])
}

@Test(arguments: [false, true])
func linearGradients(transposedWeight: Bool) {
    var rng = SeededRNG(seed: 11)
    let x = Tensor.randn([2, 3, 4], rng: &rng)
    let w = Tensor.randn(transposedWeight ? [5, 4] : [4, 5], rng: &rng)
    let b = Tensor.randn([5], rng: &rng)
    checkGradients([x, w, b]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2], transposedWeight: transposedWeight) }
    let one = Tensor.randn([1, 1, 4], rng: &rng)
    checkGradients([one, w, b]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2], transposedWeight: transposedWeight) }
    checkGradients([x, w]) { Tensor.linear($0[0], weight: $0[1], transposedWeight: transposedWeight) }
}

@Test func linearEqualsMatmulPlusBias() {
    var rng = SeededRNG(seed: 12)
    let x = Tensor.randn([7, 6], rng: &rng), w = Tensor.randn([6, 3], rng: &rng), b = Tensor.randn([3], rng: &rng)
    let fused = Tensor.linear(x, weight: w, bias: b).toArray()
    let plain = (Tensor.matmul(x, w) + b).toArray()
    for (f, p) in zip(fused, plain) { #expect(abs(f - p) < 1e-5) }
}
