import Testing
@testable import TensorCore

/// A two-layer network fits a fixed batch: forward, backward, clip, AdamW and the schedule work
/// together and the loss falls.
@Test func smallNetworkLearnsAFixedBatch() {
    var rng = SeededRNG(seed: 7)
    let x = Tensor.randn([16, 8], rng: &rng)
    let y = Tensor.randn([16, 1], rng: &rng)
    let w1 = Tensor.randn([8, 32], std: 0.3, rng: &rng, requiresGrad: true)
    let b1 = Tensor.zeros([32], requiresGrad: true)
    let w2 = Tensor.randn([32, 1], std: 0.3, rng: &rng, requiresGrad: true)
    let optimizer = AdamW(parameters: [w1, b1, w2], config: AdamWConfig(learningRate: 1e-2, weightDecay: 0))
    let schedule = WarmupCosineSchedule(peak: 1e-2, warmupSteps: 10, totalSteps: 300)
    var first: Float = 0, last: Float = 0
    for step in 0..<300 {
        optimizer.zeroGrad()
        let h = Tensor.linear(x, weight: w1, bias: b1).gelu()
        let loss = Tensor.mseLoss(Tensor.matmul(h, w2), y)
        loss.backward()
        clipGradNorm(optimizer.parameters, maxNorm: 1)
        optimizer.step(learningRate: schedule.learningRate(at: step))
        if step == 0 { first = loss.item }
        last = loss.item
    }
    #expect(last < first * 0.05)
}

/// The README's example, verbatim, and its loss falls.
@Test func readmeExampleRunsAndLearns() {
    var rng = SeededRNG(seed: 0)
    let w = Tensor.randn([8, 1], std: 0.1, rng: &rng, requiresGrad: true)
    let x = Tensor.randn([32, 8], rng: &rng), y = Tensor.randn([32, 1], rng: &rng)
    let optimizer = AdamW(parameters: [w], config: AdamWConfig(learningRate: 1e-2))
    let before = noGrad { Tensor.mseLoss(Tensor.matmul(x, w), y).item }
    for _ in 0..<100 {
        optimizer.zeroGrad()
        let loss = Tensor.mseLoss(Tensor.matmul(x, w), y)
        loss.backward()
        clipGradNorm([w], maxNorm: 1)
        optimizer.step()
    }
    let after = noGrad { Tensor.mseLoss(Tensor.matmul(x, w), y).item }
    #expect(after < before)
}
