import Foundation
import Testing
import TensorCore
@testable import Learners

/// The clipped surrogate and the KL estimate, values and gradients by hand.
struct GRPOLossTests {
    @Test func clipHigherSurrogateValuesAndGradients() {
        // ρ = e^{±0.5}; ε_low = 0.2, ε_high = 0.28.
        let logProbs = Tensor(shape: [1, 4], data: [0.5, 0.5, -0.5, -0.5], requiresGrad: true)
        let old = Tensor(shape: [1, 4], data: [0, 0, 0, 0])
        let advantages = Tensor(shape: [1, 4], data: [1, -1, 1, -1])
        let surrogate = PolicyGradientLoss.clippedSurrogate(logProbs: logProbs, oldLogProbs: old, advantages: advantages,
                                                            clipLow: 0.2, clipHigh: 0.28)
        let up = Float(exp(0.5)), down = Float(exp(-0.5))
        // A > 0, ρ = 1.65 > 1.28: clipped to 1.28 (no gradient).
        // A < 0, ρ = 1.65: min(−1.65, −1.28) = −1.65, the unclipped term (gradient ρ·A).
        // A > 0, ρ = 0.61: min(0.61, 0.8) = 0.61, unclipped.
        // A < 0, ρ = 0.61 < 0.8: min(−0.61, −0.8) = −0.8, clipped.
        let expected: [Float] = [1.28, -up, down, -0.8]
        #expect(zip(surrogate.toArray(), expected).allSatisfy { abs($0 - $1) < 1e-5 })
        surrogate.sum().backward()
        let grad = logProbs.grad!.toArray()
        #expect(zip(grad, [0, -up, down, 0]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(grad)")
        #expect(PolicyGradientLoss.clipFraction(logProbs: logProbs.toArray(), oldLogProbs: old.toArray(),
                                                mask: [true, true, true, false], clipLow: 0.2, clipHigh: 0.28) == 1)
    }

    @Test func k3KLIsZeroAtTheReferenceAndPositiveElsewhere() {
        let logProbs = Tensor(shape: [3], data: [-1, -2, -0.5])
        let reference = Tensor(shape: [3], data: [-2, -2, -1])
        let kl = PolicyGradientLoss.k3KL(logProbs: logProbs, referenceLogProbs: reference).toArray()
        // d = ref − logp: −1 → e^{−1} + 1 − 1; 0 → 0; −0.5 → e^{−0.5} + 0.5 − 1.
        let expected = [Float(exp(-1.0)), 0, Float(exp(-0.5)) - 0.5]
        #expect(zip(kl, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
