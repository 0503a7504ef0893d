import Testing
@testable import TensorCore

/// Shape pairs that exercise every broadcasting path: same shape, scalar, trailing vector,
/// column, and stretched axes on both sides.
private let broadcastCases: [([Int], [Int])] = [
    ([3, 5], [3, 5]), ([3, 5], []), ([], [4]), ([2, 3, 4], [4]), ([3, 4], [3, 1]),
    ([2, 1, 4], [3, 1]), ([1, 3], [2, 1]), ([2, 3, 9], [2, 1, 9]),
]

@Test(arguments: broadcastCases)
func addSubBroadcastGradients(a: [Int], b: [Int]) {
    var rng = SeededRNG(seed: 1)
    let x = Tensor.randn(a, rng: &rng), y = Tensor.randn(b, rng: &rng)
    checkGradients([x, y]) { $0[0] + $0[1] }
    checkGradients([x, y]) { $0[0] - $0[1] }
}

@Test(arguments: broadcastCases)
func mulDivBroadcastGradients(a: [Int], b: [Int]) {
    var rng = SeededRNG(seed: 2)
    let x = Tensor.randn(a, rng: &rng)
    // Divisors kept away from 0 so the quotient is smooth over the finite-difference step.
    let y = Tensor.uniform(b, low: 0.5, high: 2, rng: &rng)
    checkGradients([x, y]) { $0[0] * $0[1] }
    checkGradients([x, y], h: 1e-3) { $0[0] / $0[1] }
}

@Test func maximumMinimumGradients() {
    var rng = SeededRNG(seed: 3)
    let x = Tensor.randn([4, 6], rng: &rng)
    // y = x + offsets of at least 0.2, so no pair is within the step of a tie.
    let y = Tensor(shape: [6], data: [0.5, -0.7, 0.9, -0.3, 1.4, -1.1])
    checkGradients([x, y]) { Tensor.maximum($0[0], $0[1]) }
    checkGradients([x, y]) { Tensor.minimum($0[0], $0[1]) }
}

@Test func broadcastForwardMatchesExplicitLoops() {
    let a = Tensor(shape: [2, 1, 3], data: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [2, 1], data: [10, 20])
    // out[i, j, k] = a[i, 0, k] * b[j, 0]
    let out = a * b
    #expect(out.shape == [2, 2, 3])
    #expect(out.toArray() == [10, 20, 30, 20, 40, 60, 40, 50, 60, 80, 100, 120])
}

@Test func unaryGradients() {
    var rng = SeededRNG(seed: 4)
    let x = smoothRandn([5, 7], rng: &rng, std: 2, avoid: [0, -1, 1])
    checkGradients([x]) { $0[0].exp() }
    checkGradients([x]) { $0[0].tanh() }
    checkGradients([x]) { $0[0].relu() }
    checkGradients([x]) { $0[0].gelu() }
    checkGradients([x]) { $0[0].sigmoid() }
    checkGradients([x]) { $0[0].silu() }
    checkGradients([x]) { $0[0].square() }
    checkGradients([x]) { -$0[0] }
    checkGradients([x]) { $0[0].affine(scale: -1.5, shift: 0.25) }
    checkGradients([x]) { 2 - $0[0] / 4 }
    checkGradients([x]) { $0[0].clamped(min: -1, max: 1) }
    let positive = Tensor.uniform([4, 9], low: 0.5, high: 3, rng: &rng)
    checkGradients([positive], h: 1e-3) { $0[0].log() }
    checkGradients([positive], h: 1e-3) { $0[0].sqrt() }
}

@Test func reductionGradients() {
    var rng = SeededRNG(seed: 5)
    let x = Tensor.randn([3, 4, 5], rng: &rng)
    checkGradients([x]) { $0[0].sum() }
    checkGradients([x]) { $0[0].mean() }
    checkGradients([x]) { $0[0].sum(axis: 1) }
    checkGradients([x]) { $0[0].sum(axis: -1, keepDims: true) }
    checkGradients([x]) { $0[0].mean(axes: [0, 2]) }
    checkGradients([x]) { $0[0].mean(axes: [0, 1], keepDims: true) }
}

@Test func reductionValues() {
    let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    #expect(x.sum().item == 21)
    #expect(x.sum(axis: 0).toArray() == [5, 7, 9])
    #expect(x.sum(axis: 1, keepDims: true).shape == [2, 1])
    #expect(x.mean(axis: 1).toArray() == [2, 5])
}

@Test func shapeOpGradients() {
    var rng = SeededRNG(seed: 6)
    let x = Tensor.randn([2, 3, 4], rng: &rng)
    let y = Tensor.randn([2, 2, 4], rng: &rng)
    checkGradients([x]) { $0[0].reshaped([6, -1]) }
    checkGradients([x]) { $0[0].slice(axis: 0, 1..<2) }
    checkGradients([x]) { $0[0].slice(axis: 2, 1..<3) }
    checkGradients([x]) { $0[0].split(axis: 1, sizes: [1, 2])[1] * 2 }
    checkGradients([x, y]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
    checkGradients([x]) { $0[0].permuted([2, 0, 1]) }
    checkGradients([x]) { $0[0].transposed(1, 2) }
}

@Test func shapeOpValues() {
    let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    #expect(x.transposed(0, 1).toArray() == [1, 4, 2, 5, 3, 6])
    #expect(x.slice(axis: 1, 1..<3).toArray() == [2, 3, 5, 6])
    #expect(x.slice(axis: 0, 1..<2).toArray() == [4, 5, 6])
    #expect(Tensor.concat([x, x], axis: 1).toArray() == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
}

@Test func dropoutGradientFollowsItsMaskAndIsSeeded() {
    var rng = SeededRNG(seed: 8)
    let x = Tensor.randn([6, 10], rng: &rng)
    checkGradients([x]) { inputs in
        var r = SeededRNG(seed: 42)
        return inputs[0].dropout(p: 0.3, rng: &r)
    }
    var r1 = SeededRNG(seed: 9), r2 = SeededRNG(seed: 9)
    let a = x.dropout(p: 0.5, rng: &r1).toArray(), b = x.dropout(p: 0.5, rng: &r2).toArray()
    #expect(a == b)
    let zeros = a.filter { $0 == 0 }.count
    #expect(zeros > 10 && zeros < 50)
    // Survivors are scaled by 1/(1-p).
    for (o, i) in zip(a, x.toArray()) where o != 0 { #expect(abs(o - 2 * i) < 1e-6) }
}
