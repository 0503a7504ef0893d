/// Splits text into the words BPE works on, exactly as GPT-2's pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` does, written as a
/// hand-made scanner over Unicode scalars (a regex engine is several times slower here).
enum GPT2PreTokenizer {
    private enum Kind: UInt8 { case letter, number, space, other }

    private static func kind(_ s: Unicode.Scalar) -> Kind {
        let v = s.value
        if v < 0x80 {
            switch v {
            case 0x41...0x5A, 0x61...0x7A: return .letter
            case 0x30...0x39: return .number
            case 0x09...0x0D, 0x20: return .space
            default: return .other
            }
        }
        let properties = s.properties
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            // \s in the regex engines HuggingFace uses is Unicode White_Space.
            return properties.isWhitespace ? .space : .other
        }
    }

    /// Calls `word` with the half-open UTF-8 byte range of each pre-token, in order.
    static func split(_ text: Substring, word: (Range<Int>) -> Void) {
        var kinds: [Kind] = []
        var scalars: [UInt32] = []
        var offsets: [Int] = [0]   // UTF-8 offset of scalar i; one extra at the end
        kinds.reserveCapacity(text.utf8.count)
        scalars.reserveCapacity(text.utf8.count)
        offsets.reserveCapacity(text.utf8.count + 1)
        var offset = 0
        for s in text.unicodeScalars {
            kinds.append(kind(s))
            scalars.append(s.value)
            offset += UTF8.width(s)
            offsets.append(offset)
        }
        let n = scalars.count
        var i = 0
        while i < n {
            let end = matchEnd(at: i, n: n, kinds: kinds, scalars: scalars)
            word(offsets[i]..<offsets[end])
            i = end
        }
    }

    /// The end (exclusive, in scalars) of the pattern's match starting at `i`.
    private static func matchEnd(at i: Int, n: Int, kinds: [Kind], scalars: [UInt32]) -> Int {
        // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive, as in GPT-2)
        if scalars[i] == 0x27, i + 1 < n {
            let a = scalars[i + 1]
            if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return i + 2 }  // s t m d
            if i + 2 < n {
                let b = scalars[i + 2]
                if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) {
                    return i + 3  // re ve ll
                }
            }
        }
        // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': an optional literal space, then a run.
        var start = i
        if scalars[i] == 0x20, i + 1 < n, kinds[i + 1] != .space { start = i + 1 }
        let runKind = kinds[start]
        if runKind != .space {
            var j = start + 1
            while j < n && kinds[j] == runKind { j += 1 }
            return j
        }
        // '\s+(?!\S)' then '\s+': a whitespace run, leaving its last space to the next word
        // when a non-space follows (unless the run is a single character).
        var j = i + 1
        while j < n && kinds[j] == .space { j += 1 }
        if j < n && j - i > 1 { return j - 1 }
        return j
    }
}
