/// Token log-probabilities, cross-entropy, entropy and regression losses. The softmax-based ones
/// are fused: they never materialise the [N, V] log-softmax, only one log-sum-exp per row.

extension Tensor {
    /// log softmax(logits)[target] per row: `[..., V]` logits and one target per row → `[...]`.
    /// A target < 0 is masked: its log-prob is 0 and it gets no gradient. This is what policy
    /// gradients need (the log-prob of each sampled token).
    public static func tokenLogProbs(_ logits: Tensor, targets: [Int]) -> Tensor {
        let (rows, v) = logits.lastAxisRows
        precondition(targets.count == rows, "tokenLogProbs: \(targets.count) targets for \(rows) rows of \(logits.shape)")
        let lse = Storage(count: rows, zeroed: false)
        let out = Storage(count: rows, zeroed: false)
        let x = logits.pointer, l = lse.base, o = out.base
        targets.withUnsafeBufferPointer { t in
            parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / 8 / Swift.max(v, 1))) { s, e in
                for r in s..<e {
                    let target = t[r]
                    precondition(target < v, "tokenLogProbs: target \(target) at row \(r) is outside the vocabulary 0..<\(v)")
                    l[r] = rowLogSumExp(x + r * v, v)
                    o[r] = target < 0 ? 0 : x[r * v + target] - l[r]
                }
            }
        }
        return result(Array(logits.shape.dropLast()), out, inputs: [logits]) { out in
            let g = out.gradPointer()
            softmaxMinusOneHotBackward(logits: logits, lse: lse.base, targets: targets, rowScale: { -g[$0] })
        }
    }

    /// Mean cross-entropy of `logits` (`[..., V]`) against one target per row, skipping rows
    /// whose target equals `ignoreIndex` (PyTorch's default -100). Returns a scalar; when every
    /// row is ignored it returns 0 with a zero gradient (PyTorch gives NaN).
    public static func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int = -100) -> Tensor {
        let masked = targets.map { $0 == ignoreIndex ? -1 : $0 }
        precondition(masked.allSatisfy { $0 >= -1 }, "crossEntropy: negative target other than ignoreIndex \(ignoreIndex)")
        let valid = masked.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let logProbs = noGrad { tokenLogProbs(logits, targets: masked) }
        let scale: Float = valid == 0 ? 0 : 1 / Float(valid)
        let loss = Storage(count: 1, zeroed: false)
        loss.base[0] = -sumOf(logProbs.pointer, logProbs.count) * scale
        let lse = Storage(count: masked.count, zeroed: false)
        let (rows, v) = logits.lastAxisRows
        for r in 0..<rows { lse.base[r] = masked[r] < 0 ? 0 : logits.pointer[r * v + masked[r]] - logProbs.pointer[r] }
        return result([], loss, inputs: [logits]) { out in
            let g = out.gradPointer()[0] * scale
            softmaxMinusOneHotBackward(logits: logits, lse: lse.base, targets: masked, rowScale: { _ in g })
        }
    }

    /// The entropy of softmax(logits) per row: `[..., V]` → `[...]`. Computed on max-shifted
    /// logits, H = log z - Σ e_j·(x_j - m)/z, so large logits lose no precision and masked
    /// (-inf) logits simply drop out.
    public func softmaxEntropy() -> Tensor {
        let (rows, v) = lastAxisRows
        let out = Storage(count: rows, zeroed: false)
        let x = pointer, o = out.base
        parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / 8 / Swift.max(v, 1))) { s, e in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: v)
            defer { p.deallocate() }
            for r in s..<e {
                let xr = x + r * v
                let m = rowMax(xr, v)
                let z = rowExpShifted(xr, p, v, shift: m)
                o[r] = logf(z) - rowWeightedShifted(p, xr, v, shift: m) / z
            }
        }
        return Tensor.result(Array(shape.dropLast()), out, inputs: [self]) { [self] out in
            // dH/dx_j = -p_j·(x_j - Σ p·x), in shifted form; p_j = 0 terms are 0.
            let g = out.gradPointer(), gx = self.gradPointer()
            parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / 8 / Swift.max(v, 1))) { s, e in
                let p = UnsafeMutablePointer<Float>.allocate(capacity: v)
                defer { p.deallocate() }
                for r in s..<e {
                    let xr = x + r * v, gxr = gx + r * v
                    let m = rowMax(xr, v)
                    let z = rowExpShifted(xr, p, v, shift: m)
                    rowScale(p, v, 1 / z)
                    let c = rowWeightedShifted(p, xr, v, shift: m)
                    let vm = V8(repeating: m + c), gr = V8(repeating: -g[r])
                    var i = 0
                    while i + 8 <= v {
                        let pv = load8(p + i)
                        let term = (pv * (load8(xr + i) - vm)).replacing(with: 0, where: pv .== 0)
                        store8(load8(gxr + i) + gr * term, gxr + i)
                        i += 8
                    }
                    while i < v {
                        if p[i] != 0 { gxr[i] += gr[0] * p[i] * (xr[i] - (m + c)) }
                        i += 1
                    }
                }
            }
        }
    }

    /// Mean squared error, mean over all elements (shapes broadcast).
    public static func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        (prediction - target).square().mean()
    }

    /// Huber loss (PyTorch `HuberLoss`, mean reduction): 0.5·d² where |d| < delta, else
    /// delta·(|d| - 0.5·delta), with d = prediction - target.
    public static func huberLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 1) -> Tensor {
        let d = prediction - target
        let n = d.count
        let out = Storage(count: 1, zeroed: false)
        let dp = d.pointer
        var total: Double = 0
        for i in 0..<n {
            let a = Swift.abs(dp[i])
            total += Double(a < delta ? 0.5 * a * a : delta * (a - 0.5 * delta))
        }
        out.base[0] = Float(total / Double(Swift.max(n, 1)))
        return result([], out, inputs: [d]) { out in
            let g = out.gradPointer()[0] / Float(Swift.max(n, 1)), gd = d.gradPointer()
            for i in 0..<n { gd[i] += g * Swift.min(Swift.max(dp[i], -delta), delta) }
        }
    }
}

/// gx[r, j] += rowScale(r)·(softmax_j - [j == target_r]) for rows with target ≥ 0, given each
/// row's log-sum-exp. Shared by tokenLogProbs and crossEntropy.
private func softmaxMinusOneHotBackward(logits: Tensor, lse: UnsafePointer<Float>, targets: [Int],
                                        rowScale: (Int) -> Float) {
    let (rows, v) = logits.lastAxisRows
    let x = logits.pointer, gx = logits.gradPointer()
    targets.withUnsafeBufferPointer { t in
        parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / 8 / Swift.max(v, 1))) { s, e in
            for r in s..<e where t[r] >= 0 {
                let c = rowScale(r)
                let xr = x + r * v, gxr = gx + r * v
                let vl = V8(repeating: lse[r]), vc = V8(repeating: c)
                var i = 0
                while i + 8 <= v { store8(load8(gxr + i) + vc * vexp(load8(xr + i) - vl), gxr + i); i += 8 }
                while i < v { gxr[i] += c * sexp(xr[i] - lse[r]); i += 1 }
                gxr[t[r]] -= c
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
