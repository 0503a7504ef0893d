/// Layer norm and RMS norm over the last axis, fused forward and backward (one pass per row
/// each way; per-row statistics are saved for the backward).

extension Tensor {
    /// Layer normalisation (Ba et al., 2016) over the last axis: (x - mean)/√(var + eps)·weight + bias.
    /// `weight` and `bias` have the size of the last axis. The variance is the biased one, as in
    /// PyTorch's `nn.LayerNorm`; HF GPT-2 uses eps = 1e-5.
    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
        let (rows, n) = lastAxisRows
        precondition(weight.count == n && bias.count == n, "layerNorm: weight \(weight.shape) / bias \(bias.shape) must have \(n) elements (last axis of \(shape))")
        let out = Storage(count: count, zeroed: false)
        let stats = Storage(count: rows * 2, zeroed: false)  // mean, rstd per row
        let x = pointer, y = out.base, w = weight.pointer, b = bias.pointer, st = stats.base
        let invN = 1 / Float(n)
        parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / Swift.max(n, 1))) { s, e in
            for r in s..<e {
                let xr = x + r * n, yr = y + r * n
                let mean = sumOf(xr, n) * invN
                let vm = V8(repeating: mean)
                var acc = V8()
                var i = 0
                while i + 8 <= n { let d = load8(xr + i) - vm; acc += d * d; i += 8 }
                var v = acc.sum()
                while i < n { let d = xr[i] - mean; v += d * d; i += 1 }
                let rstd = 1 / (v * invN + eps).squareRoot()
                st[2 * r] = mean; st[2 * r + 1] = rstd
                let vr = V8(repeating: rstd)
                i = 0
                while i + 8 <= n { store8((load8(xr + i) - vm) * vr * load8(w + i) + load8(b + i), yr + i); i += 8 }
                while i < n { yr[i] = (xr[i] - mean) * rstd * w[i] + b[i]; i += 1 }
            }
        }
        return Tensor.result(shape, out, inputs: [self, weight, bias]) { [self] out in
            let g = out.gradPointer()
            let gx = self.needsGrad ? self.gradPointer() : nil
            let gw = weight.needsGrad ? weight.gradPointer() : nil
            let gb = bias.needsGrad ? bias.gradPointer() : nil
            normBackward(rows: rows, n: n, x: x, g: g, w: w, stats: stats.base, centered: true, gx: gx, gw: gw, gb: gb)
        }
    }

    /// RMS normalisation (Zhang & Sennrich, 2019; Llama): x/√(mean(x²) + eps)·weight.
    public func rmsNorm(weight: Tensor, eps: Float = 1e-6) -> Tensor {
        let (rows, n) = lastAxisRows
        precondition(weight.count == n, "rmsNorm: weight \(weight.shape) must have \(n) elements (last axis of \(shape))")
        let out = Storage(count: count, zeroed: false)
        let stats = Storage(count: rows * 2, zeroed: false)
        let x = pointer, y = out.base, w = weight.pointer, st = stats.base
        let invN = 1 / Float(n)
        parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / Swift.max(n, 1))) { s, e in
            for r in s..<e {
                let xr = x + r * n, yr = y + r * n
                let rstd = 1 / (dotOf(xr, xr, n) * invN + eps).squareRoot()
                st[2 * r] = 0; st[2 * r + 1] = rstd
                let vr = V8(repeating: rstd)
                var i = 0
                while i + 8 <= n { store8(load8(xr + i) * vr * load8(w + i), yr + i); i += 8 }
                while i < n { yr[i] = xr[i] * rstd * w[i]; i += 1 }
            }
        }
        return Tensor.result(shape, out, inputs: [self, weight]) { [self] out in
            let g = out.gradPointer()
            let gx = self.needsGrad ? self.gradPointer() : nil
            let gw = weight.needsGrad ? weight.gradPointer() : nil
            normBackward(rows: rows, n: n, x: x, g: g, w: w, stats: stats.base, centered: false, gx: gx, gw: gw, gb: nil)
        }
    }
}

/// Backward of y = x̂·w (+ b), x̂ = (x - μ)·rstd (μ = 0 for RMS norm):
/// dx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) with ĝ = g·w (the mean(ĝ) term only when centred),
/// dw = Σ_rows g·x̂, db = Σ_rows g. Rows split across cores; each core sums its own dw/db partials.
private func normBackward(rows: Int, n: Int, x: UnsafePointer<Float>, g: UnsafePointer<Float>, w: UnsafePointer<Float>,
                          stats: UnsafePointer<Float>, centered: Bool, gx: UnsafeMutablePointer<Float>?,
                          gw: UnsafeMutablePointer<Float>?, gb: UnsafeMutablePointer<Float>?) {
    let chunks = Swift.max(1, Swift.min(coreCount, rows * n / elementwiseGrain))
    let partials = Storage(count: chunks * 2 * n, zeroed: true)
    let pp = partials.base
    let invN = 1 / Float(n)
    parallelRanges(chunks, grain: 1) { cs, ce in
        for c in cs..<ce {
            let pw = pp + c * 2 * n, pb = pw + n
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n)
            defer { scratch.deallocate() }
            for r in (rows * c / chunks)..<(rows * (c + 1) / chunks) {
                let xr = x + r * n, gr = g + r * n
                let mean = V8(repeating: stats[2 * r]), rstd = V8(repeating: stats[2 * r + 1])
                var sg = V8(), sgx = V8()
                var i = 0
                while i + 8 <= n {
                    let xh = (load8(xr + i) - mean) * rstd
                    let gv = load8(gr + i)
                    let gh = gv * load8(w + i)
                    store8(xh, scratch + i)
                    sg += gh; sgx += gh * xh
                    store8(load8(pw + i) + gv * xh, pw + i)
                    store8(load8(pb + i) + gv, pb + i)
                    i += 8
                }
                var sgs = sg.sum(), sgxs = sgx.sum()
                while i < n {
                    let xh = (xr[i] - mean[0]) * rstd[0]
                    let gh = gr[i] * w[i]
                    scratch[i] = xh
                    sgs += gh; sgxs += gh * xh
                    pw[i] += gr[i] * xh
                    pb[i] += gr[i]
                    i += 1
                }
                guard let gx else { continue }
                let gxr = gx + r * n
                let mg = V8(repeating: centered ? sgs * invN : 0), mgx = V8(repeating: sgxs * invN)
                i = 0
                while i + 8 <= n {
                    let gh = load8(gr + i) * load8(w + i)
                    store8(load8(gxr + i) + rstd * (gh - mg - load8(scratch + i) * mgx), gxr + i)
                    i += 8
                }
                while i < n {
                    gxr[i] += rstd[0] * (gr[i] * w[i] - mg[0] - scratch[i] * mgx[0])
                    i += 1
                }
            }
        }
    }
    for c in 0..<chunks {
        if let gw { addInPlace(gw, pp + c * 2 * n, n) }
        if let gb { addInPlace(gb, pp + c * 2 * n + n, n) }
    }
}
