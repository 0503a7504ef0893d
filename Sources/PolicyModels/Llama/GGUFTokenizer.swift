import Foundation

/// The byte-level BPE tokenizer stored in a GGUF file's metadata (`tokenizer.ggml.model` =
/// `gpt2`): vocabulary, merges and token types become a `tokenizer.json` for TurnRL's
/// `BPETokenizer`; control tokens (type 3) and user-defined tokens (type 4) are its special
/// tokens. Pre-tokenisers that split digits one by one before GPT-2's pattern (llama.cpp's
/// `smollm`, `starcoder`, `refact`, … — HF's `Digits(individual_digits)` + `ByteLevel`) are
/// honoured by cutting the text at every digit first.
public struct GGUFTokenizer: Tokenizer {
    public let base: BPETokenizer
    /// Whether each digit is its own pre-token.
    public let splitsDigits: Bool
    public let endOfTextID: Int?
    public let beginningOfTextID: Int?
    public let vocabularySize: Int
    public var specialTokens: [String: Int] { base.specialTokens }
    private let splitter: SpecialTokenSplitter

    /// llama.cpp pre-tokeniser names whose first regex is `\p{N}` before the GPT-2 pattern.
    static let digitSplitting: Set<String> = ["smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"]

    public init(gguf file: GGUFFile) throws(PolicyModelsError) {
        let model = try file.string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            throw .unsupported(path: file.path, field: "tokenizer.ggml.model", value: "\(model) (TurnRL reads GPT-2 style byte-level BPE)")
        }
        let pre = file.metadata["tokenizer.ggml.pre"]?.stringValue ?? "default"
        guard pre == "default" || pre == "gpt2" || Self.digitSplitting.contains(pre) else {
            throw .unsupported(path: file.path, field: "tokenizer.ggml.pre", value: "\(pre) (pre-tokenisers read: gpt2, default, \(Self.digitSplitting.sorted().joined(separator: ", ")))")
        }
        let tokens = try file.strings("tokenizer.ggml.tokens")
        let merges = try file.strings("tokenizer.ggml.merges")
        let types = file.metadata["tokenizer.ggml.token_type"]?.arrayValue?.map { $0.intValue ?? 1 } ?? []
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        var added: [[String: Any]] = []
        for (id, token) in tokens.enumerated() {
            let type = id < types.count ? types[id] : 1
            if type == 3 || type == 4 {
                added.append(["id": id, "content": token, "special": true])
            }
            if vocab[token] == nil { vocab[token] = id }
        }
        // Some vocabularies lack a few byte tokens (SmolLM2: control bytes such as 0x04 and
        // bytes that never occur in UTF-8 text such as 0xC0, 0xF5…0xFF). BPETokenizer needs
        // all 256, so they get ids past the vocabulary, which `encode` drops, as llama.cpp does.
        var pseudo = tokens.count
        for b in 0..<256 where vocab[String(ByteLevelAlphabet.scalars[b])] == nil {
            vocab[String(ByteLevelAlphabet.scalars[b])] = pseudo
            pseudo += 1
        }
        let json: [String: Any] = [
            "added_tokens": added,
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
            "model": ["type": "BPE", "vocab": vocab, "merges": merges],
        ]
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: json) } catch {
            throw .malformedFile(path: file.path, field: "tokenizer.ggml.*", reason: "cannot be turned into tokenizer.json: \(error)")
        }
        base = try BPETokenizer(json: data, path: file.path + " (tokenizer.ggml.*)")
        vocabularySize = tokens.count
        splitsDigits = Self.digitSplitting.contains(pre)
        endOfTextID = file.metadata["tokenizer.ggml.eos_token_id"]?.intValue ?? base.endOfTextID
        beginningOfTextID = file.metadata["tokenizer.ggml.bos_token_id"]?.intValue
        splitter = SpecialTokenSplitter(base.specialTokens)
    }

    public func encode(_ text: String) -> [Int] {
        let ids = splitsDigits ? encodeSplittingDigits(text) : base.encode(text)
        return ids.contains { $0 >= vocabularySize } ? ids.filter { $0 < vocabularySize } : ids
    }

    private func encodeSplittingDigits(_ text: String) -> [Int] {
        var ids: [Int] = []
        splitter.split(text, text: { piece in
            // Each \p{N} scalar (general category Nd, Nl or No) is a pre-token of its own.
            let scalars = piece.unicodeScalars
            var start = scalars.startIndex
            for i in scalars.indices where Self.isNumber(scalars[i]) {
                if start < i { ids.append(contentsOf: base.encode(String(scalars[start..<i]))) }
                ids.append(contentsOf: base.encode(String(scalars[i])))
                start = scalars.index(after: i)
            }
            if start < scalars.endIndex { ids.append(contentsOf: base.encode(String(scalars[start...]))) }
        }, special: { ids.append($0) })
        return ids
    }

    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    public func decodeBytes(_ ids: [Int]) throws(PolicyModelsError) -> [UInt8] {
        try base.decodeBytes(ids)
    }
}
