/// NumPy broadcasting: shapes are aligned at their last axis; an axis of size 1 (or a missing
/// leading axis) stretches to the other operand's size.

/// The broadcast result shape of `a` and `b`, or nil when they are incompatible.
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Element strides of `input` read as if it had `outShape` (0 on stretched axes).
func broadcastStrides(_ input: [Int], to outShape: [Int]) -> [Int] {
    let rank = outShape.count
    var strides = [Int](repeating: 0, count: rank)
    var step = 1
    for i in stride(from: rank - 1, through: 0, by: -1) {
        let j = i - (rank - input.count)
        if j >= 0 {
            if input[j] != 1 { strides[i] = step }
            step *= input[j]
        }
    }
    return strides
}

/// Walks the rows (all axes but the last) of `outShape` and hands `body` the starting offset of
/// each row in each operand, given their broadcast strides. Rows are split across cores.
func forEachBroadcastRow(outShape: [Int], strides: [[Int]], grain: Int,
                         _ body: (_ row: Int, _ offsets: UnsafeMutablePointer<Int>) -> Void) {
    let rank = outShape.count
    let rowLength = rank == 0 ? 1 : outShape[rank - 1]
    let rows = rowLength == 0 ? 0 : outShape.reduce(1, *) / rowLength
    let outer = Array(outShape.dropLast())
    let k = strides.count
    parallelRanges(rows, grain: Swift.max(1, grain / Swift.max(rowLength, 1))) { start, end in
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: k)
        defer { offsets.deallocate() }
        for row in start..<end {
            var rem = row
            for j in 0..<k { offsets[j] = 0 }
            var axis = outer.count - 1
            while axis >= 0 {
                let idx = rem % outer[axis]
                rem /= outer[axis]
                for j in 0..<k { offsets[j] += idx * strides[j][axis] }
                axis -= 1
            }
            body(row, offsets)
        }
    }
}

extension Tensor {
    /// Adds `full` (laid out with `outShape`, which this tensor's shape broadcasts to) into this
    /// tensor's gradient, summing over the stretched axes.
    func accumulateGrad(reducing full: UnsafePointer<Float>, outShape: [Int]) {
        let g = gradPointer()
        let n = outShape.reduce(1, *)
        if n == count {
            addInPlace(g, full, n)
            return
        }
        let strides = broadcastStrides(shape, to: outShape)
        let rowLength = outShape.last ?? 1
        let lastStride = strides.last ?? 0
        // Serial: different rows may add into the same gradient elements.
        let rank = outShape.count
        let rows = n / Swift.max(rowLength, 1)
        var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
        var base = 0
        for row in 0..<rows {
            let src = full + row * rowLength
            if lastStride == 1 {
                addInPlace(g + base, src, rowLength)
            } else {
                g[base] += sumOf(src, rowLength)
            }
            _ = advanceOuterIndex(&index, offset: &base, shape: outShape, strides: strides)
        }
    }
}

/// dst[i] += src[i].
@inline(__always) func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(dst + i) + load8(src + i), dst + i); i += 8 }
    while i < n { dst[i] += src[i]; i += 1 }
}

/// The sum of n floats with two SIMD accumulators.
@inline(__always) func sumOf(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a0 = V8(), a1 = V8()
    var i = 0
    while i + 16 <= n { a0 += load8(p + i); a1 += load8(p + i + 8); i += 16 }
    if i + 8 <= n { a0 += load8(p + i); i += 8 }
    var s = (a0 + a1).sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// The dot product of two float runs.
@inline(__always) func dotOf(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var a0 = V8(), a1 = V8()
    var i = 0
    while i + 16 <= n {
        a0 += load8(a + i) * load8(b + i)
        a1 += load8(a + i + 8) * load8(b + i + 8)
        i += 16
    }
    if i + 8 <= n { a0 += load8(a + i) * load8(b + i); i += 8 }
    var s = (a0 + a1).sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// Steps a row index over every axis but the last (an odometer), keeping `offset` = Σ index·stride.
/// Returns false once the index has wrapped past the last row.
@inline(__always) func advanceOuterIndex(_ index: inout [Int], offset: inout Int, shape: [Int], strides: [Int]) -> Bool {
    var axis = shape.count - 2
    while axis >= 0 {
        index[axis] += 1
        offset += strides[axis]
        if index[axis] < shape[axis] { return true }
        offset -= strides[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
    }
    return false
}
