import Foundation
import Synchronization

/// GPT-2 style byte-level BPE, loaded from a HuggingFace `tokenizer.json`: text is split at
/// added/special tokens, each remaining piece is cut into words by GPT-2's pre-tokenisation
/// pattern, each word's UTF-8 bytes become byte tokens which merge pairwise by merge rank.
/// Post-processors (BOS/EOS templates) are not applied: `encode` equals HuggingFace's
/// `encode(text, add_special_tokens=False)`.
public struct BPETokenizer: Tokenizer {
    public let vocabularySize: Int
    public let specialTokens: [String: Int]
    public let endOfTextID: Int?
    /// Whether a space is put in front of text that does not start with one (GPT-2: false).
    public let addPrefixSpace: Bool
    /// The tokenizer.json this was loaded from (written back unchanged when a model is saved).
    public let json: Data

    /// id of the single-byte token for each byte.
    private let byteIDs: [Int32]
    /// (left id << 32 | right id) → (rank, merged id).
    private let merges: [UInt64: (rank: Int32, id: Int32)]
    /// Byte strings of whole words that are vocab entries, used when `ignore_merges` is set.
    private let wholeWords: [[UInt8]: Int]?
    /// The bytes each id decodes to.
    private let idBytes: [[UInt8]]
    private let splitter: SpecialTokenSplitter
    private let cache = WordCache()

    /// Loads `tokenizer.json` from a file.
    public init(contentsOf url: URL) throws(PolicyModelsError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .fileUnreadable(path: url.path, reason: "\(error)")
        }
        try self.init(json: data, path: url.path)
    }

    /// Parses the contents of a `tokenizer.json`; `path` only names it in errors.
    public init(json data: Data, path: String = "tokenizer.json") throws(PolicyModelsError) {
        let file: TokenizerJSON
        do { file = try JSONDecoder().decode(TokenizerJSON.self, from: data) } catch {
            throw .malformedFile(path: path, field: "(root)", reason: "does not decode: \(error)")
        }
        try Self.checkSupported(file, path: path)
        let model = file.model
        let added = file.addedTokens ?? []

        var size = (model.vocab.values.max() ?? -1) + 1
        for token in added { size = max(size, token.id + 1) }
        var idBytes = [[UInt8]](repeating: [], count: size)
        var addedIDs = Set<Int>()
        var special: [String: Int] = [:]
        for token in added {
            if token.singleWord == true || token.lstrip == true || token.rstrip == true {
                throw .unsupported(path: path, field: "added_tokens[\(token.content)].single_word/lstrip/rstrip", value: "true")
            }
            idBytes[token.id] = Array(token.content.utf8)
            addedIDs.insert(token.id)
            special[token.content] = token.id
        }
        for (token, id) in model.vocab where !addedIDs.contains(id) {
            guard id >= 0, let bytes = ByteLevelAlphabet.decode(token) else {
                throw .unsupported(path: path, field: "model.vocab[\(token)]", value: "a token outside the byte-level alphabet")
            }
            idBytes[id] = bytes
        }
        var byteIDs = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            guard let id = model.vocab[String(ByteLevelAlphabet.scalars[b])] else {
                throw .malformedFile(path: path, field: "model.vocab", reason: "lacks the byte token for byte \(b); a byte-level BPE needs all 256")
            }
            byteIDs[b] = Int32(id)
        }
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        merges.reserveCapacity(model.merges.count)
        for (rank, merge) in model.merges.enumerated() {
            guard let l = model.vocab[merge.left], let r = model.vocab[merge.right] else {
                throw .malformedFile(path: path, field: "model.merges[\(rank)]", reason: "names '\(merge.left)' or '\(merge.right)', which is not in the vocab")
            }
            // A merge whose result is not in the vocab can never apply (HuggingFace skips it too).
            guard let merged = model.vocab[merge.left + merge.right] else { continue }
            let key = UInt64(UInt32(l)) << 32 | UInt64(UInt32(r))
            if merges[key] == nil { merges[key] = (Int32(rank), Int32(merged)) }
        }
        if model.ignoreMerges == true {
            var whole: [[UInt8]: Int] = [:]
            for (id, bytes) in idBytes.enumerated() where !addedIDs.contains(id) && !bytes.isEmpty { whole[bytes] = id }
            wholeWords = whole
        } else {
            wholeWords = nil
        }
        self.json = data
        self.vocabularySize = size
        self.specialTokens = special
        self.endOfTextID = special["<|endoftext|>"] ?? special["</s>"] ?? special["<|end_of_text|>"]
        self.addPrefixSpace = Self.byteLevelComponent(file.preTokenizer)?.addPrefixSpace ?? false
        self.byteIDs = byteIDs
        self.merges = merges
        self.idBytes = idBytes
        self.splitter = SpecialTokenSplitter(special)
    }

    private static func byteLevelComponent(_ c: TokenizerJSON.Component?) -> TokenizerJSON.Component? {
        guard let c else { return nil }
        if c.type == "ByteLevel" { return c }
        return c.pretokenizers?.lazy.compactMap { byteLevelComponent($0) }.first
    }

    private static func checkSupported(_ file: TokenizerJSON, path: String) throws(PolicyModelsError) {
        let model = file.model
        if let type = model.type, type != "BPE" { throw .unsupported(path: path, field: "model.type", value: type) }
        if let d = model.dropout, d > 0 { throw .unsupported(path: path, field: "model.dropout", value: "\(d)") }
        if let p = model.continuingSubwordPrefix, !p.isEmpty { throw .unsupported(path: path, field: "model.continuing_subword_prefix", value: p) }
        if let s = model.endOfWordSuffix, !s.isEmpty { throw .unsupported(path: path, field: "model.end_of_word_suffix", value: s) }
        if let n = file.normalizer { throw .unsupported(path: path, field: "normalizer.type", value: n.type) }
        guard let pre = file.preTokenizer else {
            throw .unsupported(path: path, field: "pre_tokenizer", value: "null (a byte-level BPE needs a ByteLevel pre-tokenizer)")
        }
        guard pre.type == "ByteLevel" else { throw .unsupported(path: path, field: "pre_tokenizer.type", value: pre.type) }
        if pre.useRegex == false { throw .unsupported(path: path, field: "pre_tokenizer.use_regex", value: "false") }
    }

    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3 + 1)
        splitter.split(text, text: { piece in
            var piece = piece
            // HuggingFace adds the prefix space to every split between added tokens.
            if addPrefixSpace && piece.first != " " { piece = Substring(" " + piece) }
            encodePlain(piece, into: &ids)
        }, special: { ids.append($0) })
        return ids
    }

    private func encodePlain(_ text: Substring, into ids: inout [Int]) {
        let bytes = Array(text.utf8)
        GPT2PreTokenizer.split(text) { range in
            let word = Array(bytes[range])
            if let cached = cache.lookup(word) {
                ids.append(contentsOf: cached)
            } else {
                let result = bpe(word)
                cache.store(word, result)
                ids.append(contentsOf: result)
            }
        }
    }

    /// Applies merges by rank (lowest first, leftmost first on ties) to one word.
    func bpe(_ word: [UInt8]) -> [Int] {
        if let wholeWords, let id = wholeWords[word] { return [id] }
        var symbols = word.map { byteIDs[Int($0)] }
        while symbols.count > 1 {
            var bestRank = Int32.max
            var bestIndex = -1
            var bestID: Int32 = 0
            for i in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[i])) << 32 | UInt64(UInt32(symbols[i + 1]))
                if let m = merges[key], m.rank < bestRank {
                    bestRank = m.rank
                    bestIndex = i
                    bestID = m.id
                }
            }
            if bestIndex < 0 { break }
            // Merge every occurrence of the best pair, left to right, without overlaps.
            let left = symbols[bestIndex], right = symbols[bestIndex + 1]
            var merged: [Int32] = []
            merged.reserveCapacity(symbols.count)
            merged.append(contentsOf: symbols[0..<bestIndex])
            var i = bestIndex
            while i < symbols.count {
                if i + 1 < symbols.count && symbols[i] == left && symbols[i + 1] == right {
                    merged.append(bestID)
                    i += 2
                } else {
                    merged.append(symbols[i])
                    i += 1
                }
            }
            symbols = merged
        }
        return symbols.map { Int($0) }
    }

    public func decodeBytes(_ ids: [Int]) throws(PolicyModelsError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        for id in ids {
            guard id >= 0 && id < idBytes.count else {
                throw .tokenOutOfRange(id: id, vocabularySize: vocabularySize)
            }
            out.append(contentsOf: idBytes[id])
        }
        return out
    }

    /// The bytes one id stands for (empty for an id the vocabulary leaves unused).
    public func bytes(of id: Int) -> [UInt8] {
        id >= 0 && id < idBytes.count ? idBytes[id] : []
    }
}

/// Memo of word → ids, so repeated words (most of them in real text) skip the merge loop.
/// Owned by one tokenizer value; bounded so a long run cannot grow it without limit.
final class WordCache: Sendable {
    private let table = Mutex<[[UInt8]: [Int]]>([:])
    /// Entries kept before the cache is emptied and starts over.
    private static let capacity = 1 << 16

    func lookup(_ word: [UInt8]) -> [Int]? {
        table.withLock { $0[word] }
    }

    func store(_ word: [UInt8], _ ids: [Int]) {
        table.withLock { t in
            if t.count >= Self.capacity { t.removeAll(keepingCapacity: true) }
            t[word] = ids
        }
    }
}
