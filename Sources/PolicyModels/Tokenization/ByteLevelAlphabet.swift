/// GPT-2's reversible map between bytes and printable Unicode characters (`bytes_to_unicode`
/// in OpenAI's encoder.py): printable Latin-1 bytes map to themselves, the other 68 bytes to
/// U+0100 onwards, so every byte string is a string of visible characters.
enum ByteLevelAlphabet {
    /// `scalar[b]` is the character standing for byte `b`.
    static let scalars: [Unicode.Scalar] = {
        var printable = Array(UInt32(0x21)...0x7E) + Array(UInt32(0xA1)...0xAC) + Array(UInt32(0xAE)...0xFF)
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        for b in printable { table[Int(b)] = Unicode.Scalar(b)! }
        var next: UInt32 = 256
        for b in 0..<256 where !printable.contains(UInt32(b)) {
            table[b] = Unicode.Scalar(next)!
            next += 1
            printable.append(UInt32(b))
        }
        return table
    }()

    /// The inverse map: character value → byte.
    static let bytes: [UInt32: UInt8] = {
        var inverse: [UInt32: UInt8] = [:]
        for (b, scalar) in scalars.enumerated() { inverse[scalar.value] = UInt8(b) }
        return inverse
    }()

    /// The byte string a byte-level token string stands for; nil if it has a character outside
    /// the alphabet (then it is not a byte-level token).
    static func decode(_ token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let b = bytes[scalar.value] else { return nil }
            out.append(b)
        }
        return out
    }

    /// The token string for a byte string.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(scalars[Int(b)]) }
        return String(s)
    }
}
