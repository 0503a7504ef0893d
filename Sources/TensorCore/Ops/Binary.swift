/// Elementwise binary ops with NumPy broadcasting, and their gradients (summed back over the
/// broadcast axes).

/// One elementwise binary function, in SIMD and scalar form.
protocol BinaryKernel {
    static func apply(_ a: V8, _ b: V8) -> V8
    static func apply(_ a: Float, _ b: Float) -> Float
}

enum AddKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { a + b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}
enum SubKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { a - b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}
enum MulKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { a * b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}
enum DivKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { a / b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}
enum MaxKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { a.replacing(with: b, where: b .> a) }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
}
enum MinKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { a.replacing(with: b, where: b .< a) }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { b < a ? b : a }
}
/// 1 where a is the selected operand of max (a >= b), else 0.
enum GreaterEqualMaskKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { V8(repeating: 0).replacing(with: 1, where: a .>= b) }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
}
/// 1 where a is the selected operand of min (a <= b), else 0.
enum LessEqualMaskKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: V8, _ b: V8) -> V8 { V8(repeating: 0).replacing(with: 1, where: a .<= b) }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 }
}

/// One run of `n` outputs; `sa`/`sb` are 1 (contiguous) or 0 (a repeated scalar).
@inline(__always) func binaryRun<K: BinaryKernel>(_: K.Type, _ a: UnsafePointer<Float>, _ sa: Int,
                                                   _ b: UnsafePointer<Float>, _ sb: Int,
                                                   _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    switch (sa, sb) {
    case (1, 1):
        while i + 8 <= n { store8(K.apply(load8(a + i), load8(b + i)), out + i); i += 8 }
        while i < n { out[i] = K.apply(a[i], b[i]); i += 1 }
    case (1, _):
        let vb = V8(repeating: b[0])
        while i + 8 <= n { store8(K.apply(load8(a + i), vb), out + i); i += 8 }
        while i < n { out[i] = K.apply(a[i], b[0]); i += 1 }
    case (_, 1):
        let va = V8(repeating: a[0])
        while i + 8 <= n { store8(K.apply(va, load8(b + i)), out + i); i += 8 }
        while i < n { out[i] = K.apply(a[0], b[i]); i += 1 }
    default:
        let v = K.apply(a[0], b[0])
        while i < n { out[i] = v; i += 1 }
    }
}

/// K(a, b) broadcast to `outShape`, into fresh storage.
func binaryStorage<K: BinaryKernel>(_ k: K.Type, _ a: UnsafePointer<Float>, _ aShape: [Int],
                                    _ b: UnsafePointer<Float>, _ bShape: [Int], outShape: [Int]) -> Storage {
    let n = outShape.reduce(1, *)
    let out = Storage(count: n, zeroed: false)
    let o = out.base
    let aCount = aShape.reduce(1, *), bCount = bShape.reduce(1, *)
    if aCount == n && bCount == n {
        parallelRanges(n, grain: elementwiseGrain) { s, e in binaryRun(k, a + s, 1, b + s, 1, o + s, e - s) }
    } else if aCount == n && bCount == 1 {
        parallelRanges(n, grain: elementwiseGrain) { s, e in binaryRun(k, a + s, 1, b, 0, o + s, e - s) }
    } else if aCount == 1 && bCount == n {
        parallelRanges(n, grain: elementwiseGrain) { s, e in binaryRun(k, a, 0, b + s, 1, o + s, e - s) }
    } else {
        let sa = broadcastStrides(aShape, to: outShape), sb = broadcastStrides(bShape, to: outShape)
        let rowLength = outShape.last ?? 1
        forEachBroadcastRow(outShape: outShape, strides: [sa, sb], grain: elementwiseGrain) { row, off in
            binaryRun(k, a + off[0], sa.last ?? 0, b + off[1], sb.last ?? 0, o + row * rowLength, rowLength)
        }
    }
    return out
}

extension Tensor {
    fileprivate static func binary<K: BinaryKernel>(_ k: K.Type, _ a: Tensor, _ b: Tensor, _ name: String,
                                                    backward: @escaping (_ out: Tensor, _ a: Tensor, _ b: Tensor) -> Void) -> Tensor {
        guard let outShape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let storage = binaryStorage(k, a.pointer, a.shape, b.pointer, b.shape, outShape: outShape)
        return result(outShape, storage, inputs: [a, b]) { out in backward(out, a, b) }
    }

    /// dL/d(input) = K(g, other) summed back to `input`'s shape.
    fileprivate func accumulate<K: BinaryKernel>(_ k: K.Type, grad g: Tensor, with other: Tensor, outShape: [Int]) {
        let tmp = binaryStorage(k, g.pointer, outShape, other.pointer, other.shape, outShape: outShape)
        accumulateGrad(reducing: tmp.base, outShape: outShape)
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary(AddKernel.self, a, b, "add") { out, a, b in
            if b.needsGrad {
                if b.count == out.count && !a.needsGrad { b.takeOrAccumulateGrad(from: out) } else {
                    b.accumulateGrad(reducing: out.gradPointer(), outShape: out.shape)
                }
            }
            if a.needsGrad {
                if a.count == out.count { a.takeOrAccumulateGrad(from: out) } else {
                    a.accumulateGrad(reducing: out.gradPointer(), outShape: out.shape)
                }
            }
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(SubKernel.self, a, b, "sub") { out, a, b in
            if b.needsGrad {
                let neg = out.gradTensor.scaledStorage(-1)
                b.accumulateGrad(reducing: neg.base, outShape: out.shape)
            }
            if a.needsGrad {
                if a.count == out.count { a.takeOrAccumulateGrad(from: out) } else {
                    a.accumulateGrad(reducing: out.gradPointer(), outShape: out.shape)
                }
            }
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(MulKernel.self, a, b, "mul") { out, a, b in
            let g = out.gradTensor
            if a.needsGrad { a.accumulate(MulKernel.self, grad: g, with: b, outShape: out.shape) }
            if b.needsGrad { b.accumulate(MulKernel.self, grad: g, with: a, outShape: out.shape) }
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(DivKernel.self, a, b, "div") { out, a, b in
            let g = out.gradTensor
            if a.needsGrad { a.accumulate(DivKernel.self, grad: g, with: b, outShape: out.shape) }
            if b.needsGrad {
                // d(a/b)/db = -(a/b)/b = -out/b.
                let gOut = binaryStorage(MulKernel.self, g.pointer, out.shape, out.pointer, out.shape, outShape: out.shape)
                let q = binaryStorage(DivKernel.self, gOut.base, out.shape, b.pointer, b.shape, outShape: out.shape)
                let neg = Tensor(storage: q, shape: out.shape).scaledStorage(-1)
                b.accumulateGrad(reducing: neg.base, outShape: out.shape)
            }
        }
    }

    /// Elementwise maximum with broadcasting (the gradient goes to `a` on ties).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        selection(MaxKernel.self, picksA: GreaterEqualMaskKernel.self, a, b, "maximum")
    }

    /// Elementwise minimum with broadcasting (the gradient goes to `a` on ties).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        selection(MinKernel.self, picksA: LessEqualMaskKernel.self, a, b, "minimum")
    }

    /// An op that picks a or b per element: the gradient goes to whichever was picked, as the
    /// `picksA` kernel (1 where a is picked) says.
    fileprivate static func selection<K: BinaryKernel, M: BinaryKernel>(_ k: K.Type, picksA: M.Type, _ a: Tensor, _ b: Tensor,
                                                                         _ name: String) -> Tensor {
        binary(k, a, b, name) { out, a, b in
            let g = out.gradTensor
            let mask = binaryStorage(M.self, a.pointer, a.shape, b.pointer, b.shape, outShape: out.shape)
            let ga = binaryStorage(MulKernel.self, g.pointer, out.shape, mask.base, out.shape, outShape: out.shape)
            if a.needsGrad { a.accumulateGrad(reducing: ga.base, outShape: out.shape) }
            if b.needsGrad {
                let gb = binaryStorage(SubKernel.self, g.pointer, out.shape, ga.base, out.shape, outShape: out.shape)
                b.accumulateGrad(reducing: gb.base, outShape: out.shape)
            }
        }
    }

    /// The gradient buffer of an op output, as a tensor (for reuse of the forward kernels).
    var gradTensor: Tensor { Tensor(storage: gradStorage!, shape: shape) }

    /// This tensor's values times `s`, into fresh storage.
    func scaledStorage(_ s: Float) -> Storage {
        let out = Storage(count: count, zeroed: false)
        let src = pointer, dst = out.base
        let vs = V8(repeating: s)
        parallelRanges(count, grain: elementwiseGrain) { start, end in
            var i = start
            while i + 8 <= end { store8(load8(src + i) * vs, dst + i); i += 8 }
            while i < end { dst[i] = src[i] * s; i += 1 }
        }
        return out
    }
}
