/// Dequantisation of ggml blocks into Float32 (the formulas of ggml's `dequantize_row_*`,
/// which the `gguf` Python package's `quants.py` mirrors):
/// - Q8_0: x[i] = d · q[i] (q signed bytes);
/// - Q4_0: x[j] = d · (lo(q[j]) − 8), x[j+16] = d · (hi(q[j]) − 8);
/// - Q4_1: x[j] = d · lo(q[j]) + m, x[j+16] = d · hi(q[j]) + m;
/// where lo/hi are the low and high nibble of byte j of the 16 packed bytes.
enum Dequantize {
    @inline(__always) static func half(_ p: UnsafeRawPointer) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(as: UInt16.self)))
    }

    /// Writes `count` Float32 values decoded from `source` (laid out as `type`) to `out`.
    /// `count` must be a whole number of blocks.
    static func run(_ type: GGMLType, source: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        switch type {
        case .f32:
            out.update(from: source.assumingMemoryBound(to: Float.self), count: count)
        case .f16:
            for i in 0..<count { out[i] = half(source + 2 * i) }
        case .q8_0:
            for b in 0..<(count / 32) {
                let block = source + b * 34
                let d = half(block)
                let q = (block + 2).assumingMemoryBound(to: Int8.self)
                let o = out + b * 32
                for i in 0..<32 { o[i] = d * Float(q[i]) }
            }
        case .q4_0:
            for b in 0..<(count / 32) {
                let block = source + b * 18
                let d = half(block)
                let q = (block + 2).assumingMemoryBound(to: UInt8.self)
                let o = out + b * 32
                for j in 0..<16 {
                    o[j] = d * Float(Int(q[j] & 0x0F) - 8)
                    o[j + 16] = d * Float(Int(q[j] >> 4) - 8)
                }
            }
        case .q4_1:
            for b in 0..<(count / 32) {
                let block = source + b * 20
                let d = half(block), m = half(block + 2)
                let q = (block + 4).assumingMemoryBound(to: UInt8.self)
                let o = out + b * 32
                for j in 0..<16 {
                    o[j] = d * Float(q[j] & 0x0F) + m
                    o[j + 16] = d * Float(q[j] >> 4) + m
                }
            }
        default:
            preconditionFailure("Dequantize.run: \(type.name) is not readable (checked by GGUFFile)")
        }
    }
}
