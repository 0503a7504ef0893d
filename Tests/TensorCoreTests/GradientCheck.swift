import Testing
@testable import TensorCore

/// Checks an op's backward against central finite differences.
///
/// The op's output is reduced to L = Σ out ⊙ R with a fixed random R (so every output element
/// matters with a different weight); L is accumulated in Double. For every element of every
/// input (or every `elementStride`-th, for large inputs), (L(x + h) - L(x - h)) / 2h must match the gradient autograd computed.
func checkGradients(_ inputs: [Tensor], h: Float = 1e-2, relativeTolerance: Double = 1e-2,
                    absoluteTolerance: Double = 2e-3, seed: UInt64 = 99, elementStride: Int = 1,
                    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    for t in inputs { t.requiresGrad = true; t.zeroGrad() }
    let out = f(inputs)
    var rng = SeededRNG(seed: seed)
    let weights = Tensor.randn(out.shape, rng: &rng)
    (out * weights).sum().backward()
    func objective() -> Double {
        noGrad {
            let o = f(inputs)
            var total: Double = 0
            for i in 0..<o.count { total += Double(o.pointer[i]) * Double(weights.pointer[i]) }
            return total
        }
    }
    for (index, t) in inputs.enumerated() {
        let analytic = t.grad?.toArray() ?? [Float](repeating: 0, count: t.count)
        var worst: (Int, Double, Double)?
        for i in stride(from: 0, to: t.count, by: elementStride) {
            let saved = t.pointer[i]
            t.pointer[i] = saved + h
            let plus = objective()
            t.pointer[i] = saved - h
            let minus = objective()
            t.pointer[i] = saved
            // The step actually taken, in Float32.
            let step = Double(saved + h) - Double(saved - h)
            let numeric = (plus - minus) / step
            let a = Double(analytic[i])
            if abs(a - numeric) > absoluteTolerance + relativeTolerance * abs(numeric) {
                if worst == nil || abs(a - numeric) > abs(worst!.1 - worst!.2) { worst = (i, a, numeric) }
            }
        }
        if let (i, a, n) = worst {
            Issue.record("input \(index) \(t.shape) element \(i): autograd \(a), finite difference \(n)", sourceLocation: sourceLocation)
        }
    }
}

/// A tensor of normal values whose elements stay at least `gap` away from every value in
/// `avoid` (for ops with kinks: relu at 0, clamp bounds, huber at ±delta).
func smoothRandn(_ shape: [Int], rng: inout SeededRNG, std: Float = 1, avoid: [Float] = [], gap: Float = 0.05) -> Tensor {
    let t = Tensor.randn(shape, std: std, rng: &rng)
    for i in 0..<t.count {
        while avoid.contains(where: { abs(t.pointer[i] - $0) < gap }) { t.pointer[i] = std * rng.nextGaussian() }
    }
    return t
}
