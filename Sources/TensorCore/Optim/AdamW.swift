/// AdamW (Loshchilov & Hutter, 2019): Adam with weight decay decoupled from the gradient,
/// updating parameters in place with one fused SIMD pass per tensor.

/// AdamW hyperparameters. Defaults are PyTorch's `torch.optim.AdamW` defaults except the
/// weight decay, 0.1 as in GPT-2/GPT-3 training (Brown et al., 2020, appendix B).
public struct AdamWConfig: Sendable, Equatable {
    /// Step size (the peak when a schedule scales it).
    public var learningRate: Float = 1e-3
    /// Decay rate of the first-moment average (β₁).
    public var beta1: Float = 0.9
    /// Decay rate of the second-moment average (β₂).
    public var beta2: Float = 0.999
    /// Added to √v̂ to keep the step finite.
    public var eps: Float = 1e-8
    /// Decoupled weight decay λ: each step multiplies parameters by (1 - lr·λ).
    public var weightDecay: Float = 0.1

    /// A configuration; every argument defaults as documented on its property.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.1) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }
}

/// A set of parameters sharing a weight-decay setting (biases and norm gains usually get none).
public struct ParameterGroup {
    /// The tensors updated together.
    public var parameters: [Tensor]
    /// Overrides the config's weight decay for this group when set.
    public var weightDecay: Float?
    /// A group; `weightDecay: 0` exempts it from decay.
    public init(_ parameters: [Tensor], weightDecay: Float? = nil) {
        self.parameters = parameters
        self.weightDecay = weightDecay
    }
}

/// The AdamW optimizer. Holds first/second moment buffers per parameter.
public final class AdamW {
    /// The hyperparameters (the learning rate may be overridden per step).
    public var config: AdamWConfig
    /// The parameter groups, in the order they are updated.
    public let groups: [ParameterGroup]
    /// Steps taken so far (the bias correction uses it).
    public internal(set) var stepCount = 0
    /// First and second moments per parameter, created at its first update (`AdamWState.swift`
    /// saves and restores them).
    var moments: [ObjectIdentifier: (m: Storage, v: Storage)] = [:]

    /// An optimizer over `groups`.
    public init(groups: [ParameterGroup], config: AdamWConfig = AdamWConfig()) {
        self.groups = groups
        self.config = config
    }

    /// An optimizer over `parameters`, all decayed with `config.weightDecay`.
    public convenience init(parameters: [Tensor], config: AdamWConfig = AdamWConfig()) {
        self.init(groups: [ParameterGroup(parameters)], config: config)
    }

    /// Every parameter, in group order.
    public var parameters: [Tensor] { groups.flatMap(\.parameters) }

    /// Applies one update from the accumulated gradients, with `learningRate` overriding the
    /// config's (for schedules). Parameters without a gradient are skipped.
    public func step(learningRate: Float? = nil) {
        stepCount += 1
        let lr = learningRate ?? config.learningRate
        let b1 = config.beta1, b2 = config.beta2
        let c1 = 1 - powf(b1, Float(stepCount)), c2 = 1 - powf(b2, Float(stepCount))
        for group in groups {
            let decay = 1 - lr * (group.weightDecay ?? config.weightDecay)
            for p in group.parameters {
                guard let g = p.gradStorage else { continue }
                let state = moments[ObjectIdentifier(p)] ?? (Storage(count: p.count, zeroed: true), Storage(count: p.count, zeroed: true))
                moments[ObjectIdentifier(p)] = state
                adamWUpdate(p.pointer, g.base, state.m.base, state.v.base, p.count,
                            lr: lr, b1: b1, b2: b2, eps: config.eps, decay: decay, c1: c1, c2: c2)
            }
        }
    }

    /// Drops every parameter's gradient.
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }
}

/// p ← p·decay - lr·m̂/(√v̂ + eps), with the moments updated first (PyTorch's order).
private func adamWUpdate(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                         _ v: UnsafeMutablePointer<Float>, _ n: Int, lr: Float, b1: Float, b2: Float, eps: Float,
                         decay: Float, c1: Float, c2: Float) {
    let vb1 = V8(repeating: b1), vb2 = V8(repeating: b2), o1 = V8(repeating: 1 - b1), o2 = V8(repeating: 1 - b2)
    let stepSize = V8(repeating: lr / c1), invSqrtC2 = V8(repeating: 1 / c2.squareRoot())
    let veps = V8(repeating: eps), vdecay = V8(repeating: decay)
    parallelRanges(n, grain: elementwiseGrain) { s, e in
        var i = s
        while i + 8 <= e {
            let gi = load8(g + i)
            let mi = vb1 * load8(m + i) + o1 * gi
            let vi = vb2 * load8(v + i) + o2 * gi * gi
            store8(mi, m + i); store8(vi, v + i)
            let denom = vi.squareRoot() * invSqrtC2 + veps
            store8(load8(p + i) * vdecay - stepSize * mi / denom, p + i)
            i += 8
        }
        while i < e {
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            p[i] = p[i] * decay - (lr / c1) * m[i] / (v[i].squareRoot() / c2.squareRoot() + eps)
            i += 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
