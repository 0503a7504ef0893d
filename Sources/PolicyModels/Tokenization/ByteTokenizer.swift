/// The default tokenizer: one id per byte (0...255), then named special tokens from 256 on.
/// Needs no vocabulary file and round-trips every UTF-8 string exactly.
public struct ByteTokenizer: Tokenizer {
    public let specialTokens: [String: Int]
    public let vocabularySize: Int
    public let endOfTextID: Int?
    private let specialText: [Int: [UInt8]]
    private let splitter: SpecialTokenSplitter

    /// The special tokens TurnRL uses by default: end of text and padding.
    public static let defaultSpecialTokens = ["<|endoftext|>", "<|pad|>"]

    /// - Parameter specialTokenNames: names given ids 256, 257, … in this order; the first
    ///   one named `<|endoftext|>` (if any) is the end-of-text id.
    public init(specialTokenNames: [String] = ByteTokenizer.defaultSpecialTokens) {
        var tokens: [String: Int] = [:]
        var text: [Int: [UInt8]] = [:]
        for (offset, name) in specialTokenNames.enumerated() where tokens[name] == nil {
            tokens[name] = 256 + offset
            text[256 + offset] = Array(name.utf8)
        }
        specialTokens = tokens
        specialText = text
        vocabularySize = 256 + specialTokenNames.count
        endOfTextID = tokens["<|endoftext|>"]
        splitter = SpecialTokenSplitter(tokens)
    }

    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count)
        splitter.split(text, text: { ids.append(contentsOf: $0.utf8.lazy.map { Int($0) }) },
                       special: { ids.append($0) })
        return ids
    }

    public func decodeBytes(_ ids: [Int]) throws(PolicyModelsError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count)
        for id in ids {
            if id >= 0 && id < 256 {
                bytes.append(UInt8(id))
            } else if let text = specialText[id] {
                bytes.append(contentsOf: text)
            } else {
                throw .tokenOutOfRange(id: id, vocabularySize: vocabularySize)
            }
        }
        return bytes
    }
}
