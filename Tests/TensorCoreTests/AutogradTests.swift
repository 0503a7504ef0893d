import Testing
@testable import TensorCore

@Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
    let w = Tensor(shape: [3], data: [1, 2, 3], requiresGrad: true)
    (w * 2).sum().backward()
    (w * w).sum().backward()
    // 2 + 2w
    #expect(w.grad!.toArray() == [4, 6, 8])
    w.zeroGrad()
    #expect(w.grad == nil)
    (w * 3).sum().backward()
    #expect(w.grad!.toArray() == [3, 3, 3])
}

@Test func sharedSubexpressionsSumTheirPaths() {
    // y = (x·x) + exp(x·x): the product feeds two consumers; dy/dx = 2x(1 + e^{x²}).
    let x = Tensor(shape: [2], data: [0.5, -1], requiresGrad: true)
    let s = x * x
    (s + s.exp()).sum().backward()
    let g = x.grad!.toArray()
    #expect(abs(g[0] - 2 * 0.5 * (1 + Float(1.284_025_4))) < 1e-5)
    #expect(abs(g[1] - 2 * -1 * (1 + Float(2.718_281_8))) < 1e-5)
}

@Test func noGradRecordsNothingAndNests() {
    let w = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
    let y = noGrad { w * 2 }
    #expect(!y.requiresGrad)
    noGrad {
        #expect(!GradMode.isEnabled)
        noGrad { #expect(!GradMode.isEnabled) }
        #expect(!GradMode.isEnabled)
    }
    #expect(GradMode.isEnabled)
    #expect((w * 2).requiresGrad)
    // Detached values stop the gradient.
    let z = (w.detached() * w).sum()
    z.backward()
    #expect(w.grad!.toArray() == [1, 2])
}

@Test func backwardWithExplicitGradientAndReleasedGraph() {
    let x = Tensor(shape: [2, 2], data: [1, 2, 3, 4], requiresGrad: true)
    let y = x * x
    y.backward(gradient: Tensor(shape: [2, 2], data: [1, 0, 0, 1]))
    #expect(x.grad!.toArray() == [2, 0, 0, 8])
    // Intermediate gradients are released; only leaves keep theirs.
    #expect(y.grad == nil)
}

@Test func seededGeneratorIsReproducibleAndRoughlyNormal() {
    var a = SeededRNG(seed: 123), b = SeededRNG(seed: 123), c = SeededRNG(seed: 124)
    let xs = (0..<4).map { _ in a.next() }
    #expect(xs == (0..<4).map { _ in b.next() })
    #expect(xs != (0..<4).map { _ in c.next() })
    var r = SeededRNG(seed: 5)
    let n = 20_000
    let samples = (0..<n).map { _ in Double(r.nextGaussian()) }
    let mean = samples.reduce(0, +) / Double(n)
    let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
    #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    let u = (0..<n).map { _ in r.nextFloat() }
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
}

/// Add, sub and reshape hand their output gradient buffer to an input that has none yet; the
/// gradients must stay right when the same tensor feeds several consumers.
@Test func gradientBufferHandOffKeepsSharedUsesCorrect() {
    var rng = SeededRNG(seed: 50)
    let x = Tensor.randn([3, 4], rng: &rng), h = Tensor.randn([3, 4], rng: &rng)
    checkGradients([x]) { $0[0] + $0[0] }
    checkGradients([x]) { $0[0] - $0[0] * 2 }
    checkGradients([x, h]) { inputs in
        let y = inputs[0] + inputs[1]
        let flat = y.reshaped([-1])
        return flat * 3 + flat.exp() - y.reshaped([12])
    }
    checkGradients([x, h]) { inputs in
        // A residual stream: x + f(x) + g(x + f(x)).
        let r1 = inputs[0] + (inputs[0] * inputs[1]).tanh()
        return r1 + r1.gelu() - inputs[1]
    }
}

@Test func asyncNoGradScopesTheTaskOnly() async {
    let w = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
    let inside = await noGrad { () async -> Bool in
        await Task.yield()
        return (w * 2).requiresGrad
    }
    #expect(!inside)
    #expect((w * 2).requiresGrad)
}
