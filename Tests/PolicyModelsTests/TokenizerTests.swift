import Foundation
import Testing
@testable import PolicyModels

/// Random strings over Unicode ranges that stress tokenizers: ASCII controls, combining marks,
/// right-to-left scripts, CJK, emoji with modifiers and joiners, odd whitespace.
func randomUnicodeString<G: RandomNumberGenerator>(length: Int, using rng: inout G) -> String {
    let pools: [ClosedRange<UInt32>] = [
        0x00...0x7F, 0x09...0x0D, 0x20...0x20, 0xA0...0x24F, 0x300...0x36F, 0x400...0x4FF,
        0x590...0x6FF, 0x900...0x97F, 0x2000...0x206F, 0x3000...0x30FF, 0x4E00...0x4FFF,
        0x1F300...0x1F64F, 0x1F3FB...0x1F3FF, 0x200D...0x200D, 0xFE0F...0xFE0F, 0x10000...0x10FFF,
    ]
    var scalars = String.UnicodeScalarView()
    for _ in 0..<length {
        let pool = pools[Int.random(in: 0..<pools.count, using: &rng)]
        if let s = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { scalars.append(s) }
    }
    return String(scalars)
}

struct TokenizerTests {
    struct Expected: Decodable {
        struct Case: Decodable { let text: String; let ids: [Int] }
        let vocab_size: Int
        let cases: [Case]
    }

    static func loadExpected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: FixturePaths.url("tokenizer_expected.json")))
    }

    @Test func byteTokenizerRoundTripsArbitraryUnicode() throws {
        let tokenizer = ByteTokenizer()
        var rng = SplitMix64(seed: 7)
        for length in [0, 1, 2, 5, 17, 64, 300] {
            for _ in 0..<20 {
                let text = randomUnicodeString(length: length, using: &rng)
                let ids = tokenizer.encode(text)
                #expect(ids.count == text.utf8.count)
                #expect(try tokenizer.decode(ids) == text)
            }
        }
        for edge in ["lone\rCR", "\r\n", "     ", "e\u{301}", "👨‍👩‍👧", "\u{0}"] {
            #expect(try tokenizer.decode(tokenizer.encode(edge)) == edge)
        }
    }

    @Test func byteTokenizerSpecialTokens() throws {
        let tokenizer = ByteTokenizer()
        #expect(tokenizer.vocabularySize == 258)
        #expect(tokenizer.endOfTextID == 256)
        let ids = tokenizer.encode("hi<|endoftext|><|pad|>!")
        #expect(ids == [104, 105, 256, 257, 33])
        #expect(try tokenizer.decode(ids) == "hi<|endoftext|><|pad|>!")
        #expect(throws: PolicyModelsError.tokenOutOfRange(id: 258, vocabularySize: 258)) {
            try tokenizer.decode([258])
        }
    }

    @Test func bpeMatchesHuggingFaceIdsExactly() throws {
        let tokenizer = try BPETokenizer(contentsOf: FixturePaths.url("tokenizer.json"))
        let expected = try Self.loadExpected()
        #expect(tokenizer.vocabularySize == expected.vocab_size)
        #expect(expected.cases.count > 50)
        for c in expected.cases {
            let ids = tokenizer.encode(c.text)
            #expect(ids == c.ids, "text: \(c.text.debugDescription)")
            #expect(try tokenizer.decode(ids) == c.text)
        }
    }

    @Test func bpeLoadsLegacyStringMerges() throws {
        // Older tokenizer.json files write merges as "a b"; rewrite the fixture's ["a", "b"] form.
        let data = try Data(contentsOf: FixturePaths.url("tokenizer.json"))
        var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var model = try #require(root["model"] as? [String: Any])
        let merges = try #require(model["merges"] as? [Any])
        let asStrings: [String] = merges.map { m in
            if let pair = m as? [String] { return pair.joined(separator: " ") }
            return m as! String
        }
        model["merges"] = asStrings
        root["model"] = model
        let legacy = try BPETokenizer(json: JSONSerialization.data(withJSONObject: root))
        let modern = try BPETokenizer(json: data)
        for c in try Self.loadExpected().cases {
            #expect(legacy.encode(c.text) == c.ids)
            #expect(modern.encode(c.text) == c.ids)
        }
        #expect(merges.first is [String] || merges.first is String)
    }

    @Test func bpeRoundTripsRandomUnicode() throws {
        let tokenizer = try BPETokenizer(contentsOf: FixturePaths.url("tokenizer.json"))
        var rng = SplitMix64(seed: 11)
        for _ in 0..<300 {
            let text = randomUnicodeString(length: Int.random(in: 0...80, using: &rng), using: &rng)
            let ids = tokenizer.encode(text)
            #expect(ids.allSatisfy { $0 >= 0 && $0 < tokenizer.vocabularySize })
            #expect(try tokenizer.decode(ids) == text)
        }
        let spaces = String(repeating: " ", count: 1000) + "x" + String(repeating: "\r", count: 7)
        #expect(try tokenizer.decode(tokenizer.encode(spaces)) == spaces)
    }

    @Test func bpeCompressesTrainedText() throws {
        let tokenizer = try BPETokenizer(contentsOf: FixturePaths.url("tokenizer.json"))
        let text = "The agent calls the python tool and the search tool, then gives the answer."
        #expect(tokenizer.encode(text).count * 2 < text.utf8.count)
    }

    @Test func bpeRejectsUnsupportedFiles() throws {
        let json = #"{"model":{"type":"WordPiece","vocab":{},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"}}"#
        #expect(throws: PolicyModelsError.unsupported(path: "tokenizer.json", field: "model.type", value: "WordPiece")) {
            try BPETokenizer(json: Data(json.utf8))
        }
    }
}
