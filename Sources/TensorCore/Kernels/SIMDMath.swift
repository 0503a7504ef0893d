/// Vectorisable approximations of exp, tanh and friends on `SIMD8<Float>`, so hot loops never
/// call libm per element (`expf`/`tanhf` cost ~7 ns each). Only add/mul/compare/bit operations
/// are used, which the compiler maps to SSE2 on any x86-64 and NEON on arm64.

typealias V8 = SIMD8<Float>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> V8 {
    UnsafeRawPointer(p).loadUnaligned(as: V8.self)
}

@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> V8 {
    UnsafeRawPointer(p).loadUnaligned(as: V8.self)
}

@inline(__always) func store8(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
}

/// Lane-wise min/max by compare-and-select. (The standard library's `clamped` checks its bounds
/// per lane and does not vectorise: 10 ns per element against 0.6.)
@inline(__always) func vmin(_ a: V8, _ b: V8) -> V8 { a.replacing(with: b, where: b .< a) }
@inline(__always) func vmax(_ a: V8, _ b: V8) -> V8 { a.replacing(with: b, where: b .> a) }

/// e^x for every lane. Range reduction x = n·ln2 + r, |r| ≤ ln2/2, then a degree-7 polynomial
/// and 2^n built in the exponent bits. Lanes below
/// -87.3 return exactly 0 (so masked -inf scores vanish); lanes above 88 saturate at e^88.
@inline(__always) func vexp(_ x: V8) -> V8 {
    let lo = V8(repeating: -87.33654), hi = V8(repeating: 88.0)
    let xc = vmin(vmax(x, lo), hi)
    // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
    let magic = V8(repeating: 12_582_912.0)
    let t = xc * V8(repeating: 1.442_695_040_888_963_4) + magic
    let n = t - magic
    let r = (xc - n * V8(repeating: 0.693_145_751_953_125)) - n * V8(repeating: 1.428_606_765_330_187_045e-6)
    // Cephes expf minimax polynomial: e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2, ~1 ulp.
    var p = V8(repeating: 1.987_569_150_0e-4)
    p = p * r + V8(repeating: 1.398_199_950_7e-3)
    p = p * r + V8(repeating: 8.333_451_907_3e-3)
    p = p * r + V8(repeating: 4.166_579_589_4e-2)
    p = p * r + V8(repeating: 1.666_666_545_9e-1)
    p = p * r + V8(repeating: 5.000_000_120_1e-1)
    p = p * (r * r) + r + V8(repeating: 1)
    let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    let scale = unsafeBitCast((ni &+ 127) &<< 23, to: V8.self)
    return (p * scale).replacing(with: 0, where: x .< lo)
}

/// The logistic function 1 / (1 + e^-x).
@inline(__always) func vsigmoid(_ x: V8) -> V8 {
    V8(repeating: 1) / (V8(repeating: 1) + vexp(-x))
}

/// tanh for every lane, ~1e-7 relative: an odd Taylor polynomial to x^17 for |x| < 0.5 (where
/// the exp form would cancel), (1 - e^-2|x|) / (1 + e^-2|x|) with the sign restored elsewhere.
@inline(__always) func vtanh(_ x: V8) -> V8 {
    let ax = x.replacing(with: -x, where: x .< 0)
    let e = vexp(V8(repeating: -2) * ax)
    var big = (V8(repeating: 1) - e) / (V8(repeating: 1) + e)
    big = big.replacing(with: -big, where: x .< 0)
    let x2 = x * x
    var p = V8(repeating: 6_404_582.0 / 10_854_718_875.0)
    p = p * x2 - V8(repeating: 929_569.0 / 638_512_875.0)
    p = p * x2 + V8(repeating: 21_844.0 / 6_081_075.0)
    p = p * x2 - V8(repeating: 1_382.0 / 155_925.0)
    p = p * x2 + V8(repeating: 62.0 / 2_835.0)
    p = p * x2 - V8(repeating: 17.0 / 315.0)
    p = p * x2 + V8(repeating: 2.0 / 15.0)
    p = p * x2 - V8(repeating: 1.0 / 3.0)
    let small = x + x * x2 * p
    return big.replacing(with: small, where: ax .< 0.5)
}

/// Scalar versions for loop tails: the same formulas on one lane, so results do not depend on
/// where an element falls in its row.
@inline(__always) func sexp(_ x: Float) -> Float { vexp(V8(repeating: x))[0] }
@inline(__always) func stanh(_ x: Float) -> Float { vtanh(V8(repeating: x))[0] }
@inline(__always) func ssigmoid(_ x: Float) -> Float { vsigmoid(V8(repeating: x))[0] }

/// The sum of all lanes.
@inline(__always) func hsum(_ v: V8) -> Float { v.sum() }
