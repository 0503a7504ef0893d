import Foundation
import Testing
@testable import TensorCore

/// Forward values and AdamW steps against float64 NumPy (Tests/Fixtures/TensorCore/make_fixtures.py).
private struct Reference: Decodable {
    struct AdamWCase: Decodable {
        let lr, beta1, beta2, eps, weight_decay: Double
        let initial: [Double], grads: [[Double]], final: [Double]
    }
    let x: [Double], x_shape: [Int], w: [Double], b: [Double]
    let gelu, softmax, log_softmax, layer_norm, rms_norm: [Double]
    let adamw: AdamWCase
}

private func loadReference() throws -> Reference {
    try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("reference_ops.json")))
}

private func expectClose(_ actual: [Float], _ expected: [Double], relative: Double, absolute: Double = 1e-6,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    let worst = zip(actual, expected).map { abs(Double($0) - $1) - relative * abs($1) }.max() ?? 0
    #expect(worst <= absolute, "worst excess error \(worst)", sourceLocation: sourceLocation)
}

@Test func forwardOpsMatchNumPy() throws {
    let r = try loadReference()
    let x = Tensor(shape: r.x_shape, data: r.x.map(Float.init))
    let w = Tensor(shape: [r.w.count], data: r.w.map(Float.init)), b = Tensor(shape: [r.b.count], data: r.b.map(Float.init))
    expectClose(x.gelu().toArray(), r.gelu, relative: 2e-6)
    expectClose(x.softmax().toArray(), r.softmax, relative: 2e-6)
    expectClose(x.logSoftmax().toArray(), r.log_softmax, relative: 2e-6)
    expectClose(x.layerNorm(weight: w, bias: b).toArray(), r.layer_norm, relative: 1e-5, absolute: 1e-5)
    expectClose(x.rmsNorm(weight: w).toArray(), r.rms_norm, relative: 1e-5, absolute: 1e-5)
}

@Test func adamWMatchesPyTorchAlgorithm() throws {
    let c = try loadReference().adamw
    let p = Tensor(shape: [c.initial.count], data: c.initial.map(Float.init), requiresGrad: true)
    let config = AdamWConfig(learningRate: Float(c.lr), beta1: Float(c.beta1), beta2: Float(c.beta2), eps: Float(c.eps), weightDecay: Float(c.weight_decay))
    let optimizer = AdamW(parameters: [p], config: config)
    for g in c.grads {
        optimizer.zeroGrad()
        // The gradient of Σ p·g is g.
        (p * Tensor(shape: [g.count], data: g.map(Float.init))).sum().backward()
        optimizer.step()
    }
    expectClose(p.toArray(), c.final, relative: 1e-5, absolute: 1e-6)
    #expect(optimizer.stepCount == 3)
}

@Test func noDecayGroupIsNotDecayed() {
    let decayed = Tensor(shape: [2], data: [1, 1], requiresGrad: true)
    let plain = Tensor(shape: [2], data: [1, 1], requiresGrad: true)
    let optimizer = AdamW(groups: [ParameterGroup([decayed]), ParameterGroup([plain], weightDecay: 0)],
                          config: AdamWConfig(learningRate: 0.1, weightDecay: 0.5))
    // Zero gradients: only weight decay moves a parameter.
    decayed.gradPointer()[0] = 0; plain.gradPointer()[0] = 0
    optimizer.step()
    #expect(abs(decayed.toArray()[0] - 0.95) < 1e-6)
    #expect(plain.toArray() == [1, 1])
}

@Test func clipGradNormScalesToTheLimit() {
    let a = Tensor(shape: [2], data: [0, 0], requiresGrad: true), b = Tensor(shape: [1], data: [0], requiresGrad: true)
    a.gradPointer()[0] = 3; a.gradPointer()[1] = 4; b.gradPointer()[0] = 12  // norm 13
    let norm = clipGradNorm([a, b], maxNorm: 1.3)
    #expect(abs(norm - 13) < 1e-5)
    #expect(abs(a.grad!.toArray()[1] - 0.4) < 1e-5 && abs(b.grad!.toArray()[0] - 1.2) < 1e-5)
    // Under the limit: untouched.
    #expect(abs(clipGradNorm([a, b], maxNorm: 10) - 1.3) < 1e-5)
    #expect(abs(b.grad!.toArray()[0] - 1.2) < 1e-5)
}

@Test func warmupCosineScheduleShape() {
    let s = WarmupCosineSchedule(peak: 1, warmupSteps: 10, totalSteps: 110, minRatio: 0.1)
    #expect(abs(s.learningRate(at: 0) - 0.1) < 1e-6)
    #expect(abs(s.learningRate(at: 9) - 1) < 1e-6)
    #expect(abs(s.learningRate(at: 60) - 0.55) < 1e-6)  // halfway down the cosine
    #expect(abs(s.learningRate(at: 110) - 0.1) < 1e-6)
    #expect(abs(s.learningRate(at: 500) - 0.1) < 1e-6)
    #expect(s.learningRate(at: 30) > s.learningRate(at: 31))
}
