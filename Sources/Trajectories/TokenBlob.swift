import Foundation

/// Compact BLOB encodings for token ids and log-probs: little-endian Int32 / Float32, 4 bytes each.
///
/// Fixed-width little-endian (not the host's order) so a database written on one machine reads
/// back bit-exact on any other.
public enum TokenBlob {
    /// Encodes token ids as little-endian Int32.
    public static func encode(tokens: [Int32]) -> Data {
        var data = Data(count: tokens.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, t) in tokens.enumerated() { raw.storeBytes(of: t.littleEndian, toByteOffset: i * 4, as: Int32.self) }
        }
        return data
    }

    /// Decodes little-endian Int32 token ids; nil when the byte count is not a multiple of 4.
    public static func decodeTokens(_ data: Data) -> [Int32]? {
        guard data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
    }

    /// Encodes log-probs as little-endian IEEE-754 Float32 (bit pattern preserved, NaN included).
    public static func encode(floats: [Float]) -> Data {
        encode(tokens: floats.map { Int32(bitPattern: $0.bitPattern) })
    }

    /// Decodes little-endian Float32 values; nil when the byte count is not a multiple of 4.
    public static func decodeFloats(_ data: Data) -> [Float]? {
        decodeTokens(data).map { $0.map { Float(bitPattern: UInt32(bitPattern: $0)) } }
    }
}
