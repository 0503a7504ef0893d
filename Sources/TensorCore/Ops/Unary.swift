#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One elementwise function with its derivative, in SIMD form (tails reuse the SIMD form on a
/// splatted lane so every element gets the same formula).
protocol UnaryKernel {
    /// y = f(x).
    static func forward(_ x: V8) -> V8
    /// dy/dx given x and y.
    static func derivative(x: V8, y: V8) -> V8
}

enum ExpKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 { vexp(x) }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 { y }
}
enum TanhKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 { vtanh(x) }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 { V8(repeating: 1) - y * y }
}
enum SigmoidKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 { vsigmoid(x) }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 { y * (V8(repeating: 1) - y) }
}
enum ReLUKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 { x.replacing(with: 0, where: x .< 0) }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 { V8(repeating: 0).replacing(with: 1, where: x .> 0) }
}
/// SiLU / swish, x·σ(x) (Llama's MLP activation).
enum SiLUKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 { x * vsigmoid(x) }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 {
        let s = vsigmoid(x)
        return s * (V8(repeating: 1) + x * (V8(repeating: 1) - s))
    }
}
/// GELU, tanh approximation (HF GPT-2 "gelu_new"): 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).
/// Since 0.5(1 + tanh u) = σ(2u), it is computed as x·σ(2u): one exp, no cancellation.
enum GELUKernel: UnaryKernel {
    static let c = V8(repeating: 0.797_884_560_802_865_4)  // √(2/π)
    static let k = V8(repeating: 0.044_715)
    @inline(__always) static func forward(_ x: V8) -> V8 {
        let u = c * (x + k * x * x * x)
        return x * vsigmoid(V8(repeating: 2) * u)
    }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 {
        let x2 = x * x
        let u = c * (x + k * x2 * x)
        let s = vsigmoid(V8(repeating: 2) * u)
        let du = c * (V8(repeating: 1) + V8(repeating: 3) * k * x2)
        // d/dx [x·s(2u)] = s + x·2s(1-s)·u'.
        return s + x * V8(repeating: 2) * s * (V8(repeating: 1) - s) * du
    }
}
enum SqrtKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 { x.squareRoot() }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 { V8(repeating: 0.5) / y }
}
enum SquareKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 { x * x }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 { V8(repeating: 2) * x }
}
/// Natural log. Not on a hot path (losses on small tensors), so it uses libm per lane.
enum LogKernel: UnaryKernel {
    @inline(__always) static func forward(_ x: V8) -> V8 {
        var r = V8()
        for i in 0..<8 { r[i] = logf(x[i]) }
        return r
    }
    @inline(__always) static func derivative(x: V8, y: V8) -> V8 { V8(repeating: 1) / x }
}

extension Tensor {
    fileprivate func unary<K: UnaryKernel>(_: K.Type) -> Tensor {
        let out = Storage(count: count, zeroed: false)
        let src = pointer, dst = out.base
        parallelRanges(count, grain: elementwiseGrain / 8) { s, e in
            var i = s
            while i + 8 <= e { store8(K.forward(load8(src + i)), dst + i); i += 8 }
            while i < e { dst[i] = K.forward(V8(repeating: src[i]))[0]; i += 1 }
        }
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), y = out.pointer, x = self.pointer, gx = self.gradPointer()
            parallelRanges(count, grain: elementwiseGrain / 8) { s, e in
                var i = s
                while i + 8 <= e {
                    store8(load8(gx + i) + load8(g + i) * K.derivative(x: load8(x + i), y: load8(y + i)), gx + i)
                    i += 8
                }
                while i < e {
                    gx[i] += g[i] * K.derivative(x: V8(repeating: x[i]), y: V8(repeating: y[i]))[0]
                    i += 1
                }
            }
        }
    }

    /// e^x (polynomial approximation, ~1e-7 relative).
    public func exp() -> Tensor { unary(ExpKernel.self) }
    /// Natural logarithm.
    public func log() -> Tensor { unary(LogKernel.self) }
    /// Hyperbolic tangent (~1e-7 relative).
    public func tanh() -> Tensor { unary(TanhKernel.self) }
    /// max(x, 0).
    public func relu() -> Tensor { unary(ReLUKernel.self) }
    /// GELU with the tanh approximation, as HF GPT-2's "gelu_new". When the graph is recorded
    /// the forward keeps s = σ(2u) so the backward needs no exp.
    public func gelu() -> Tensor {
        guard GradMode.isEnabled && requiresGrad else { return noGrad { unary(GELUKernel.self) } }
        let out = Storage(count: count, zeroed: false), saved = Storage(count: count, zeroed: false)
        let src = pointer, dst = out.base, sp = saved.base
        let c = GELUKernel.c, k = GELUKernel.k
        parallelRanges(count, grain: elementwiseGrain / 8) { start, end in
            var i = start
            while i + 8 <= end {
                let x = load8(src + i)
                let sig = vsigmoid(V8(repeating: 2) * c * (x + k * x * x * x))
                store8(sig, sp + i)
                store8(x * sig, dst + i)
                i += 8
            }
            while i < end {
                let x = V8(repeating: src[i])
                let sig = vsigmoid(V8(repeating: 2) * c * (x + k * x * x * x))
                sp[i] = sig[0]
                dst[i] = (x * sig)[0]
                i += 1
            }
        }
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            // d/dx [x·s] = s + x·2s(1-s)·u', u' = c(1 + 3k·x²).
            let g = out.gradPointer(), x = self.pointer, gx = self.gradPointer(), sp = saved.base
            parallelRanges(count, grain: elementwiseGrain / 8) { start, end in
                var i = start
                while i + 8 <= end {
                    let xv = load8(x + i), sv = load8(sp + i)
                    let du = c * (V8(repeating: 1) + V8(repeating: 3) * k * xv * xv)
                    let d = sv + V8(repeating: 2) * xv * sv * (V8(repeating: 1) - sv) * du
                    store8(load8(gx + i) + load8(g + i) * d, gx + i)
                    i += 8
                }
                while i < end {
                    let xs = x[i], ss = sp[i]
                    let du = c[0] * (1 + 3 * k[0] * xs * xs)
                    gx[i] += g[i] * (ss + 2 * xs * ss * (1 - ss) * du)
                    i += 1
                }
            }
        }
    }
    /// The logistic function.
    public func sigmoid() -> Tensor { unary(SigmoidKernel.self) }
    /// x·σ(x) (SiLU / swish).
    public func silu() -> Tensor { unary(SiLUKernel.self) }
    /// Square root.
    public func sqrt() -> Tensor { unary(SqrtKernel.self) }
    /// x².
    public func square() -> Tensor { unary(SquareKernel.self) }

    /// scale·x + shift (the op behind every tensor–scalar operator).
    public func affine(scale: Float, shift: Float) -> Tensor {
        let out = Storage(count: count, zeroed: false)
        let src = pointer, dst = out.base
        let vs = V8(repeating: scale), vb = V8(repeating: shift)
        parallelRanges(count, grain: elementwiseGrain) { s, e in
            var i = s
            while i + 8 <= e { store8(load8(src + i) * vs + vb, dst + i); i += 8 }
            while i < e { dst[i] = src[i] * scale + shift; i += 1 }
        }
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), gx = self.gradPointer()
            parallelRanges(count, grain: elementwiseGrain) { s, e in
                var i = s
                while i + 8 <= e { store8(load8(gx + i) + load8(g + i) * vs, gx + i); i += 8 }
                while i < e { gx[i] += g[i] * scale; i += 1 }
            }
        }
    }

    /// x clamped to [low, high]; the gradient passes where low ≤ x ≤ high.
    public func clamped(min low: Float, max high: Float) -> Tensor {
        let out = Storage(count: count, zeroed: false)
        let src = pointer, dst = out.base
        let vl = V8(repeating: low), vh = V8(repeating: high)
        parallelRanges(count, grain: elementwiseGrain) { s, e in
            var i = s
            while i + 8 <= e { store8(vmin(vmax(load8(src + i), vl), vh), dst + i); i += 8 }
            while i < e { dst[i] = Swift.min(Swift.max(src[i], low), high); i += 1 }
        }
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), x = self.pointer, gx = self.gradPointer()
            for i in 0..<count where x[i] >= low && x[i] <= high { gx[i] += g[i] }
        }
    }

    /// Tensor–scalar arithmetic, all through `affine(scale:shift:)`: -a, a ± s, s ± a, a·s, s·a, a/s.
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1, shift: 0) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
}
