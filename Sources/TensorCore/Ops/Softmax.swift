/// Softmax and log-softmax over the last axis, max-shifted so any finite input is stable.

extension Tensor {
    /// Rows of the last axis and their length.
    var lastAxisRows: (rows: Int, length: Int) {
        let n = shape.last ?? 1
        return (n == 0 ? 0 : count / n, n)
    }

    /// A new buffer filled row by row (last axis) by `body(inputRow, outputRow, length)`, rows
    /// split over cores; `cost` as in `parallelRows`.
    func mapRows(cost: Int, _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Storage {
        let (rows, n) = lastAxisRows
        let out = Storage(count: count, zeroed: false)
        let x = pointer, y = out.base
        parallelRows(rows, length: n, cost: cost) { r in body(x + r * n, y + r * n, n) }
        return out
    }

    /// softmax over the last axis.
    public func softmax() -> Tensor {
        let (rows, n) = lastAxisRows
        let out = mapRows(cost: 8) { xr, yr, n in
            let total = rowExpShifted(xr, yr, n, shift: rowMax(xr, n))
            rowScale(yr, n, 1 / total)
        }
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            let g = out.gradPointer(), y = out.pointer, gx = self.gradPointer()
            parallelRows(rows, length: n) { r in rowSoftmaxBackward(y: y + r * n, g: g + r * n, gx: gx + r * n, n) }
        }
    }

    /// log(softmax(x)) over the last axis, computed as x - logsumexp(x).
    public func logSoftmax() -> Tensor {
        let (rows, n) = lastAxisRows
        let out = mapRows(cost: 8) { xr, yr, n in
            let lse = V8(repeating: rowLogSumExp(xr, n))
            var i = 0
            while i + 8 <= n { store8(load8(xr + i) - lse, yr + i); i += 8 }
            while i < n { yr[i] = xr[i] - lse[0]; i += 1 }
        }
        return Tensor.result(shape, out, inputs: [self]) { [self] out in
            // dx = g - softmax·Σg, softmax = exp(y).
            let g = out.gradPointer(), y = out.pointer, gx = self.gradPointer()
            parallelRows(rows, length: n, cost: 8) { r in
                let gr = g + r * n, yr = y + r * n, gxr = gx + r * n
                let total = V8(repeating: sumOf(gr, n))
                var i = 0
                while i + 8 <= n { store8(load8(gxr + i) + load8(gr + i) - vexp(load8(yr + i)) * total, gxr + i); i += 8 }
                while i < n { gxr[i] += gr[i] - sexp(yr[i]) * total[0]; i += 1 }
            }
        }
    }
}
