import Foundation

/// The parts of a HuggingFace `tokenizer.json` that a GPT-2 style byte-level BPE uses.
struct TokenizerJSON: Decodable {
    struct AddedToken: Decodable {
        let id: Int
        let content: String
        let singleWord: Bool?
        let lstrip: Bool?
        let rstrip: Bool?
        let special: Bool?
        enum CodingKeys: String, CodingKey {
            case id, content, lstrip, rstrip, special
            case singleWord = "single_word"
        }
    }

    /// A pre-tokenizer, normalizer or decoder entry: only its type and the flags we act on.
    struct Component: Decodable {
        let type: String
        let addPrefixSpace: Bool?
        let useRegex: Bool?
        let pretokenizers: [Component]?
        let normalizers: [Component]?
        enum CodingKeys: String, CodingKey {
            case type, pretokenizers, normalizers
            case addPrefixSpace = "add_prefix_space"
            case useRegex = "use_regex"
        }
    }

    /// One merge rule; HuggingFace writes them as `"a b"` (older files) or `["a", "b"]`.
    struct Merge: Decodable {
        let left: String
        let right: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let pair = try? container.decode([String].self) {
                guard pair.count == 2 else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "a merge pair must have 2 entries, has \(pair.count)")
                }
                (left, right) = (pair[0], pair[1])
            } else {
                let text = try container.decode(String.self)
                // Split at the first space: byte-level tokens never contain a raw space (it is Ġ).
                guard let space = text.firstIndex(of: " ") else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "merge '\(text)' has no space separating its two parts")
                }
                (left, right) = (String(text[..<space]), String(text[text.index(after: space)...]))
            }
        }
    }

    struct Model: Decodable {
        let type: String?
        let vocab: [String: Int]
        let merges: [Merge]
        let dropout: Double?
        let continuingSubwordPrefix: String?
        let endOfWordSuffix: String?
        let ignoreMerges: Bool?
        enum CodingKeys: String, CodingKey {
            case type, vocab, merges, dropout
            case continuingSubwordPrefix = "continuing_subword_prefix"
            case endOfWordSuffix = "end_of_word_suffix"
            case ignoreMerges = "ignore_merges"
        }
    }

    let addedTokens: [AddedToken]?
    let normalizer: Component?
    let preTokenizer: Component?
    let model: Model
    enum CodingKeys: String, CodingKey {
        case model, normalizer
        case addedTokens = "added_tokens"
        case preTokenizer = "pre_tokenizer"
    }
}
