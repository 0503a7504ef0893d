/// Turns text into token ids and back. Implementations are immutable values, safe to share.
public protocol Tokenizer: Sendable {
    /// Number of ids, i.e. every id is in `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Named special tokens (e.g. `<|endoftext|>`) and their ids.
    var specialTokens: [String: Int] { get }
    /// The id that ends a sequence, if the tokenizer has one.
    var endOfTextID: Int? { get }
    /// Encodes text; special-token strings that occur literally in `text` become their ids.
    func encode(_ text: String) -> [Int]
    /// The raw bytes the ids stand for (special tokens contribute their UTF-8 text).
    func decodeBytes(_ ids: [Int]) throws(PolicyModelsError) -> [UInt8]
}

extension Tokenizer {
    /// Decodes ids to text. Bytes that are not valid UTF-8 on their own (a sequence cut in the
    /// middle of a multi-byte character) become U+FFFD, as in HuggingFace's decoders.
    public func decode(_ ids: [Int]) throws(PolicyModelsError) -> String {
        String(decoding: try decodeBytes(ids), as: UTF8.self)
    }
}

/// Finds occurrences of special-token strings in text, longest match first at each position,
/// and splits the text into plain segments and special ids.
struct SpecialTokenSplitter: Sendable {
    /// Special tokens as UTF-8 byte strings, sorted longest first so a longer token wins.
    private let patterns: [(bytes: [UInt8], id: Int)]
    /// Fast reject: the first bytes of any special token.
    private let firstBytes: Set<UInt8>

    init(_ tokens: [String: Int]) {
        patterns = tokens.map { (Array($0.key.utf8), $0.value) }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.1 < $1.1 }
        firstBytes = Set(patterns.map { $0.bytes[0] })
    }

    /// Calls `text` for each plain segment and `special` for each special token, in order.
    func split(_ string: String, text: (Substring) -> Void, special: (Int) -> Void) {
        if patterns.isEmpty { text(Substring(string)); return }
        let utf8 = Array(string.utf8)
        var segmentStart = 0
        var i = 0
        while i < utf8.count {
            if firstBytes.contains(utf8[i]), let (length, id) = match(utf8, at: i) {
                if segmentStart < i { text(Self.substring(utf8, segmentStart, i)) }
                special(id)
                i += length
                segmentStart = i
            } else {
                i += 1
            }
        }
        if segmentStart < utf8.count { text(Self.substring(utf8, segmentStart, utf8.count)) }
    }

    private func match(_ bytes: [UInt8], at start: Int) -> (Int, Int)? {
        for pattern in patterns where start + pattern.bytes.count <= bytes.count {
            var equal = true
            for k in 0..<pattern.bytes.count where bytes[start + k] != pattern.bytes[k] {
                equal = false
                break
            }
            if equal { return (pattern.bytes.count, pattern.id) }
        }
        return nil
    }

    /// Special tokens are valid UTF-8 and start on a character boundary (their first byte
    /// is never a continuation byte), so the cut points are always scalar boundaries.
    private static func substring(_ bytes: [UInt8], _ from: Int, _ to: Int) -> Substring {
        Substring(String(decoding: bytes[from..<to], as: UTF8.self))
    }
}
