/// The ggml tensor types a GGUF file may store. Only F32, F16, Q8_0, Q4_0 and Q4_1 can be
/// dequantised; the rest are listed so an error can name them.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22, iq4_xs = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35

    /// ggml's own name (`Q4_1`, `F32`, …).
    public var name: String {
        String(describing: self).uppercased()
    }

    /// Whether TurnRL can dequantise this type.
    public var isReadable: Bool { [.f32, .f16, .q8_0, .q4_0, .q4_1].contains(self) }

    /// Elements per block and bytes per block (ggml's `ggml_type_traits`; for the readable
    /// types the layouts are `block_q4_0` etc.: an F16 scale `d`, for Q4_1 an F16 minimum `m`,
    /// then the packed quants). Known for every type so a truncated file is caught at open.
    public var blockLayout: (elements: Int, bytes: Int)? {
        switch self {
        case .f32, .i32: return (1, 4)
        case .f16, .bf16, .i16: return (1, 2)
        case .i8: return (1, 1)
        case .i64, .f64: return (1, 8)
        case .q8_0: return (32, 34)   // d, 32 × int8
        case .q4_0: return (32, 18)   // d, 16 bytes of 4-bit quants (offset 8)
        case .q4_1: return (32, 20)   // d, m, 16 bytes of 4-bit quants
        case .q5_0: return (32, 22)
        case .q5_1: return (32, 24)
        case .q8_1: return (32, 36)
        case .q2_K: return (256, 84)
        case .q3_K: return (256, 110)
        case .q4_K: return (256, 144)
        case .q5_K: return (256, 176)
        case .q6_K: return (256, 210)
        case .q8_K: return (256, 292)
        default: return nil
        }
    }

    /// Bytes that `count` elements of this type take (nil when unknown or not whole blocks).
    func byteCount(elements count: Int) -> Int? {
        guard let (e, b) = blockLayout, count % e == 0 else { return nil }
        return count / e * b
    }
}
