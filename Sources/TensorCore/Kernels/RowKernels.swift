/// Per-row kernels shared by softmax, log-softmax, cross-entropy and attention. Each works on
/// one contiguous row with SIMD accumulators.

/// The maximum of a row.
@inline(__always) func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m0 = V8(repeating: -.infinity), m1 = m0
    var i = 0
    while i + 16 <= n {
        m0 = vmax(m0, load8(x + i))
        m1 = vmax(m1, load8(x + i + 8))
        i += 16
    }
    if i + 8 <= n { m0 = vmax(m0, load8(x + i)); i += 8 }
    var m = vmax(m0, m1).max()
    while i < n { m = Swift.max(m, x[i]); i += 1 }
    return m
}

/// y[i] = exp(x[i] - shift); returns Σ y.
@inline(__always) func rowExpShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    let vs = V8(repeating: shift)
    var acc = V8()
    var i = 0
    while i + 8 <= n {
        let e = vexp(load8(x + i) - vs)
        store8(e, y + i)
        acc += e
        i += 8
    }
    var s = acc.sum()
    while i < n { let e = sexp(x[i] - shift); y[i] = e; s += e; i += 1 }
    return s
}

/// Σ exp(x[i] - shift) without storing the terms.
@inline(__always) func rowSumExpShifted(_ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    let vs = V8(repeating: shift)
    var acc = V8()
    var i = 0
    while i + 8 <= n { acc += vexp(load8(x + i) - vs); i += 8 }
    var s = acc.sum()
    while i < n { s += sexp(x[i] - shift); i += 1 }
    return s
}

/// Σ w[i]·(x[i] - shift), skipping zero weights, so a masked logit (-inf, whose softmax weight
/// is 0) adds 0 instead of 0·(-inf) = NaN.
@inline(__always) func rowWeightedShifted(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    let vs = V8(repeating: shift)
    var acc = V8()
    var i = 0
    while i + 8 <= n {
        let wv = load8(w + i)
        acc += (wv * (load8(x + i) - vs)).replacing(with: 0, where: wv .== 0)
        i += 8
    }
    var s = acc.sum()
    while i < n { if w[i] != 0 { s += w[i] * (x[i] - shift) }; i += 1 }
    return s
}

/// x[i] *= s.
@inline(__always) func rowScale(_ x: UnsafeMutablePointer<Float>, _ n: Int, _ s: Float) {
    let vs = V8(repeating: s)
    var i = 0
    while i + 8 <= n { store8(load8(x + i) * vs, x + i); i += 8 }
    while i < n { x[i] *= s; i += 1 }
}

/// The log of Σ exp(x): max + log Σ exp(x - max), stable for any input.
@inline(__always) func rowLogSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let m = rowMax(x, n)
    return m + logf(rowSumExpShifted(x, n, shift: m))
}

/// gx[i] += y[i]·(g[i] - Σ_j g[j]·y[j]): the softmax backward for one row.
@inline(__always) func rowSoftmaxBackward(y: UnsafePointer<Float>, g: UnsafePointer<Float>,
                                          gx: UnsafeMutablePointer<Float>, _ n: Int) {
    let d = V8(repeating: dotOf(g, y, n))
    var i = 0
    while i + 8 <= n { store8(load8(gx + i) + load8(y + i) * (load8(g + i) - d), gx + i); i += 8 }
    let ds = d[0]
    while i < n { gx[i] += y[i] * (g[i] - ds); i += 1 }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
