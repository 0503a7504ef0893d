import Testing
@testable import TensorCore

@Test func softmaxFamilyGradients() {
    var rng = SeededRNG(seed: 20)
    // 13 columns: SIMD body plus a scalar tail.
    let x = Tensor.randn([3, 13], std: 2, rng: &rng)
    checkGradients([x]) { $0[0].softmax() }
    checkGradients([x]) { $0[0].logSoftmax() }
    checkGradients([x]) { $0[0].softmaxEntropy() }
}

@Test func softmaxIsStableForHugeLogits() {
    let x = Tensor(shape: [1, 3], data: [1000, 1001, -1000])
    let y = x.softmax().toArray()
    #expect(abs(y[0] - 0.268_941_4) < 1e-6 && abs(y[1] - 0.731_058_6) < 1e-6 && y[2] == 0)
    let l = x.logSoftmax().toArray()
    // Float32 spacing near 1000 is 6e-5.
    #expect(abs(l[1] - -0.313_261_7) < 2e-4 && l[2] < -2000 + 1e-3)
}

@Test func normGradients() {
    var rng = SeededRNG(seed: 21)
    let x = Tensor.randn([2, 3, 11], rng: &rng)
    let w = Tensor.randn([11], mean: 1, std: 0.3, rng: &rng), b = Tensor.randn([11], rng: &rng)
    checkGradients([x, w, b], h: 3e-3) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
    checkGradients([x, w], h: 3e-3) { $0[0].rmsNorm(weight: $0[1]) }
}

@Test func layerNormNormalisesEachRow() {
    var rng = SeededRNG(seed: 22)
    let x = Tensor.randn([4, 37], mean: 3, std: 5, rng: &rng)
    let y = x.layerNorm(weight: .ones([37]), bias: .zeros([37]))
    for r in 0..<4 {
        let row = Array(y.toArray()[(r * 37)..<((r + 1) * 37)])
        let mean = row.reduce(0, +) / 37
        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 37
        #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-3)
    }
    let z = x.rmsNorm(weight: .ones([37]))
    let row0 = Array(z.toArray()[0..<37])
    #expect(abs(row0.map { $0 * $0 }.reduce(0, +) / 37 - 1) < 1e-3)
}

@Test func embeddingAndGatherGradients() {
    var rng = SeededRNG(seed: 23)
    let w = Tensor.randn([6, 5], rng: &rng)
    // Repeated ids: their gradients must add up.
    checkGradients([w]) { Tensor.embedding($0[0], ids: [1, 4, 1, 0, 5, 1], shape: [2, 3]) }
    let x = Tensor.randn([4, 7], rng: &rng)
    checkGradients([x]) { $0[0].gatherLastAxis([3, -1, 0, 6]) }
    let picked = Tensor.embedding(w, ids: [2, 0]).toArray()
    #expect(Array(picked[0..<5]) == Array(w.toArray()[10..<15]))
}

@Test func tokenLogProbsAndCrossEntropy() {
    var rng = SeededRNG(seed: 24)
    let logits = Tensor.randn([2, 3, 11], std: 2, rng: &rng)
    let targets = [4, 10, -100, 0, 7, -100]
    checkGradients([logits]) { Tensor.tokenLogProbs($0[0], targets: targets.map { $0 < 0 ? -1 : $0 }) }
    checkGradients([logits]) { Tensor.crossEntropy($0[0], targets: targets) }
    // Values against log-softmax + gather.
    let lp = Tensor.tokenLogProbs(logits, targets: [4, 10, -1, 0, 7, -1]).toArray()
    let reference = logits.logSoftmax().gatherLastAxis([4, 10, -1, 0, 7, -1]).toArray()
    for (a, b) in zip(lp, reference) { #expect(abs(a - b) < 1e-5) }
    // Mean over the 4 non-ignored rows only.
    let ce = Tensor.crossEntropy(logits, targets: targets).item
    #expect(abs(ce - -(reference.reduce(0, +)) / 4) < 1e-5)
    // All ignored: 0, and a zero gradient.
    let leaf = logits.detached()
    leaf.requiresGrad = true
    let none = Tensor.crossEntropy(leaf, targets: [Int](repeating: -100, count: 6))
    none.backward()
    #expect(none.item == 0 && leaf.grad!.toArray().allSatisfy { $0 == 0 })
}

@Test func regressionLossGradients() {
    var rng = SeededRNG(seed: 25)
    let p = Tensor.randn([3, 5], std: 2, rng: &rng)
    // Targets place every difference away from the Huber kink at ±1.
    let t = Tensor(shape: [3, 5], data: (0..<15).map { i in
        let d = Float(i % 5) * 0.6 - 1.25  // -1.25, -0.65, -0.05, 0.55, 1.15
        return p.toArray()[i] - d
    })
    checkGradients([p, t]) { Tensor.mseLoss($0[0], $0[1]) }
    checkGradients([p, t]) { Tensor.huberLoss($0[0], $0[1], delta: 1) }
    // Huber value: mean of 0.5·d² inside, |d| - 0.5 outside.
    let ds: [Float] = [-1.25, -0.65, -0.05, 0.55, 1.15]
    let per = ds.map { abs($0) < 1 ? 0.5 * $0 * $0 : abs($0) - 0.5 }.reduce(0, +) / 5
    #expect(abs(Tensor.huberLoss(p, t).item - per) < 1e-5)
}

@Test func maskedLogitsDropOutOfEntropyAndLogProbs() {
    // -inf logits (a masked vocabulary) give the entropy of the rest, finite gradients, and
    // leave log-softmax of the rest unchanged.
    let masked = Tensor(shape: [1, 4], data: [1, -.infinity, 2, 0.5], requiresGrad: true)
    let kept = Tensor(shape: [1, 3], data: [1, 2, 0.5])
    let h = masked.softmaxEntropy()
    #expect(abs(h.item - kept.softmaxEntropy().item) < 1e-6)
    h.backward()
    #expect(masked.grad!.toArray().allSatisfy { $0.isFinite })
    #expect(masked.grad!.toArray()[1] == 0)
    let lp = Tensor.tokenLogProbs(masked.detached(), targets: [2]).item
    #expect(abs(lp - Tensor.tokenLogProbs(kept, targets: [1]).item) < 1e-6)
    // Entropy stays precise for large logits (no cancellation against the max).
    let big = Tensor(shape: [1, 2], data: [1000, 1000])
    #expect(abs(big.softmaxEntropy().item - Float(0.693_147_2)) < 1e-6)
}
