/// Gradient clipping by global norm (Pascanu et al., 2013), as PyTorch's `clip_grad_norm_`.

/// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm over all
/// parameters' gradients together. Returns ‖g‖ before clipping (worth logging: spikes warn of
/// instability). Parameters without a gradient count as zero.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.gradStorage else { continue }
        total += Double(dotOf(g.base, g.base, p.count))
    }
    let norm = Float(total.squareRoot())
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for p in parameters {
            guard let g = p.gradStorage else { continue }
            rowScale(g.base, p.count, factor)
        }
    }
    return norm
}
