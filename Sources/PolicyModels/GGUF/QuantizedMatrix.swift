import CQuantKernels
import Dispatch
import TensorCore

/// A frozen `[rows, cols]` weight kept in its quantised form for batch-1 decoding, where a
/// matrix–vector product streams the whole weight once and memory traffic is the cost:
/// Q4_1 moves 0.75 bytes per weight here (vs 4 for Float32), Q8_0 1.125.
///
/// Blocks are repacked once at load into structure-of-arrays form (Float scales, then the
/// packed quants), so the hot loop converts no F16 and reads the quants contiguously. A Q4_1
/// block contributes d·Σ q_j x_j + m·Σ x_j; Σ x_j per block is computed once per input row.
/// Results equal a product with the dequantised matrix up to float summation order. The dot
/// products are C (`CQuantKernels`: AVX2+FMA picked at run time, a portable loop otherwise),
/// because Swift's SIMD integer-to-float conversions did not inline and cost 3× more.
public final class QuantizedMatrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    public let type: GGMLType
    private let blocksPerRow: Int
    /// d per block (row-major over rows × blocks).
    private let scales: [Float]
    /// m per block (Q4_1 only).
    private let minimums: [Float]
    /// 16 bytes (Q4_1: two nibbles per byte) or 32 bytes (Q8_0: int8) per block.
    private let quants: [UInt8]

    /// Repacks a Q4_1 or Q8_0 tensor of the file; nil for other types (they use Float32).
    public init?(file: GGUFFile, name: String) throws(PolicyModelsError) {
        let (info, bytes) = try file.rawBytes(name)
        guard info.type == .q4_1 || info.type == .q8_0, info.dimensions.count == 2 else { return nil }
        let type = info.type
        self.type = type
        cols = info.dimensions[0]
        rows = info.dimensions[1]
        blocksPerRow = info.dimensions[0] / 32
        let blocks = info.dimensions[1] * blocksPerRow
        let quantBytes = type == .q4_1 ? 16 : 32
        let blockBytes = type.blockLayout!.bytes
        var d = [Float](repeating: 0, count: blocks)
        var m = [Float](repeating: 0, count: type == .q4_1 ? blocks : 0)
        var q = [UInt8](repeating: 0, count: blocks * quantBytes)
        let source = bytes.baseAddress!
        q.withUnsafeMutableBytes { qp in
            for b in 0..<blocks {
                let block = source + b * blockBytes
                d[b] = Dequantize.half(block)
                let quantStart = type == .q4_1 ? 4 : 2
                if type == .q4_1 { m[b] = Dequantize.half(block + 2) }
                (qp.baseAddress! + b * quantBytes).copyMemory(from: block + quantStart, byteCount: quantBytes)
            }
        }
        scales = d
        minimums = m
        quants = q
    }

    /// out[r, :] = x[r, :]·Wᵀ for `count` input rows of `cols` floats (out rows of `rows`).
    /// Output rows are split over the cores when the product is large enough. Two or more
    /// inputs on an AVX-512 CPU go through `turnrl_multiply_tiles_avx512` (four weight rows
    /// dequantised at a time, then multiplied with four inputs at a time); otherwise each
    /// weight row is dotted with each input.
    public func multiply(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>) {
        // Two chunks per core once the product is worth a hand-off (~0.25 M multiply-adds).
        let chunks = rows * cols * count >= 1 << 18 ? 2 * ProcessInfo.activeCores : 1
        scales.withUnsafeBufferPointer { dp in
            minimums.withUnsafeBufferPointer { mp in
                quants.withUnsafeBufferPointer { qp in
                    let d = dp.baseAddress!, m = type == .q4_1 ? mp.baseAddress : nil, q = qp.baseAddress!
                    if count >= 2 && Self.tilesAvailable {
                        Self.inParallel(chunks: chunks, rows: rows) { start, end in
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * cols) { tile in
                                turnrl_multiply_tiles_avx512(q, d, m, Int32(cols), Int32(start), Int32(end), x, Int32(count),
                                                             out, Int32(rows), tile.baseAddress!)
                            }
                        }
                    } else {
                        dotEachRow(x, count: count, into: out, q: q, d: d, m: m, chunks: chunks)
                    }
                }
            }
        }
    }

    /// The portable and AVX2 path: weight row outer, input rows inner, so each weight row is
    /// read from memory once and reused from cache for every input row.
    private func dotEachRow(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>,
                            q: UnsafePointer<UInt8>, d: UnsafePointer<Float>, m: UnsafePointer<Float>?, chunks: Int) {
        let blocks = blocksPerRow, rows = rows, cols = cols, type = type
        withUnsafeTemporaryAllocation(of: Float.self, capacity: count * blocks) { sums in
            for r in 0..<count {
                for b in 0..<blocks {
                    var s: Float = 0
                    let xb = x + r * cols + b * 32
                    for j in 0..<32 { s += xb[j] }
                    sums[r * blocks + b] = s
                }
            }
            let xSums = UnsafePointer(sums.baseAddress!)
            Self.inParallel(chunks: chunks, rows: rows) { start, end in
                for row in start..<end {
                    for r in 0..<count {
                        let xr = x + r * cols, sr = xSums + r * blocks
                        out[r * rows + row] = type == .q4_1
                            ? Self.dotQ4_1(q + row * blocks * 16, d + row * blocks, m! + row * blocks, xr, sr, blocks)
                            : Self.dotQ8_0(q + row * blocks * 32, d + row * blocks, xr, blocks)
                    }
                }
            }
        }
    }

    /// Whether this CPU runs the AVX-512 tile product.
    static let tilesAvailable = turnrl_quant_kernels_avx512() != 0

    /// Runs `body(start, end)` over `chunks` contiguous parts of `0..<rows`, concurrently.
    /// The body captures raw pointers; that is safe because `concurrentPerform` returns only
    /// after every chunk ran and the chunks write disjoint output rows.
    private static func inParallel(chunks: Int, rows: Int, _ body: (Int, Int) -> Void) {
        if chunks <= 1 { body(0, rows); return }
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedBox(escapable)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                work.value(rows * c / chunks, rows * (c + 1) / chunks)
            }
        }
    }

    /// Rows at most this many (a decoding step of a small batch) use the quantised kernel;
    /// longer inputs (a prompt, training) go to sgemm on the Float32 weight, which wins there.
    /// The tile product beats OpenBLAS's SkylakeX sgemm up to 16 rows (SmolLM2's 576 × 1536
    /// projections, weights streamed as in a decoding step: 0.35 vs 0.75 ms at 16 rows, one
    /// core); the per-row dot product loses to it beyond 8.
    static let decodingRows = tilesAvailable ? 16 : 8

    /// x·Wᵀ by the quantised kernel when it applies: a matrix is there, the input has at most
    /// `decodingRows` rows, and no gradient is needed through the product. nil otherwise.
    static func decodingProduct(_ x: Tensor, _ matrix: QuantizedMatrix?, _ weight: Tensor) -> Tensor? {
        guard let matrix, let width = x.shape.last, width == matrix.cols else { return nil }
        let rows = x.count / width
        guard rows <= decodingRows, !(GradMode.isEnabled && (x.requiresGrad || weight.requiresGrad)) else { return nil }
        let out = Tensor.zeros(Array(x.shape.dropLast()) + [matrix.rows])
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                matrix.multiply(xp.baseAddress!, count: rows, into: op.baseAddress!)
            }
        }
        return out
    }

    @inline(__always)
    static func dotQ4_1(_ q: UnsafePointer<UInt8>, _ d: UnsafePointer<Float>, _ m: UnsafePointer<Float>,
                        _ x: UnsafePointer<Float>, _ xSums: UnsafePointer<Float>, _ blocks: Int) -> Float {
        turnrl_dot_q4_1(q, d, m, x, xSums, Int32(blocks))
    }

    @inline(__always)
    static func dotQ8_0(_ q: UnsafePointer<UInt8>, _ d: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ blocks: Int) -> Float {
        UnsafeRawPointer(q).withMemoryRebound(to: Int8.self, capacity: blocks * 32) { turnrl_dot_q8_0($0, d, x, Int32(blocks)) }
    }
}

import Foundation

/// Carries a closure into `concurrentPerform`'s @Sendable one (see `inParallel`).
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension ProcessInfo {
    /// Cores this process may use.
    static var activeCores: Int { Swift.max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
