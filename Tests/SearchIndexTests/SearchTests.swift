import Foundation
import Testing
@testable import SearchIndex

@Test func titleMatchesRankAboveBodyMatches() throws {
    let index = try Fixtures.smallIndex()
    let results = try index.search("danube", k: 10)
    // "Danube" is the title of one passage and a body word of another of similar length.
    #expect(results.map(\.id) == ["danube#0", "rivers#0"])
    #expect(results[0].score > results[1].score)
    // Built with no title weight, the title match no longer counts and the longer passage
    // with "Danube" in its body is the only match.
    let url = try Fixtures.temporaryDirectory().appendingPathComponent("flat.sqlite")
    _ = try IndexBuilder(ranking: RankingConfig(headingWeight: 0, bodyWeight: 1))
        .build(from: [JSONLCorpus(url: Fixtures.folder.appendingPathComponent("small.jsonl"))], to: url)
    let flat = try SearchIndex(url: url)
    #expect(flat.ranking == RankingConfig(headingWeight: 0, bodyWeight: 1))
    #expect(try flat.search("danube").map(\.id).first == "rivers#0")
}

@Test func impactScoresEqualSQLiteBM25() throws {
    let index = try Fixtures.smallIndex()
    for query in ["danube", "Vienna coffee", "the U.S. capital", "C++ language", "run runner river", "Stroustrup the C"] {
        let ours = try index.search(query, k: 10)
        let sqlite = try index.rankedByFTS5(query, k: 10)
        #expect(ours.count == sqlite.count)
        for (a, b) in zip(ours, sqlite) {
            #expect(abs(a.score - b.score) <= 1e-5 * max(1, abs(b.score)), "\(query): \(a.id) \(a.score) vs \(b.id) \(b.score)")
        }
        #expect(Set(ours.map(\.id)) == Set(sqlite.map(\.id)))
    }
}

@Test func resultsAreBestFirstWithSnippets() throws {
    let index = try Fixtures.smallIndex()
    let results = try index.search("Vienna coffee", k: 10)
    #expect(results.first?.id == "cafe#0")
    #expect(results.map(\.score) == results.map(\.score).sorted(by: >))
    #expect(results.allSatisfy { $0.score > 0 })
    #expect(results[0].snippet.contains("Vienna"))
    #expect(try index.search("Vienna coffee", k: 1).count == 1)
    #expect(try index.search("Vienna", k: 0).isEmpty)
}

@Test func porterStemmingMatchesWordForms() throws {
    let index = try Fixtures.smallIndex()
    #expect(try index.search("running").first?.id == "running#0")
    #expect(index.terms(of: "Runners RUNNING café") == ["runner", "run", "cafe"])
}

@Test func queriesFromModelsAreSafe() throws {
    let index = try Fixtures.smallIndex()
    let nasty = [
        "what's C++?", "U.S.", "e5-base", "NOT", "AND OR NOT NEAR", "\"unbalanced", "((( )", "title: danube",
        "danube*", "^danube", "-danube", "🚀🔥", "", "   ", "\u{0}", "NEAR(a b, 3)", "{title body}: x", "'''",
        String(repeating: "danube river Vienna ", count: 600),
    ]
    for query in nasty {
        _ = try index.search(query, k: 5)
    }
    #expect(try index.search("C++ language?").first?.id == "cpp#0")
    #expect(try index.search("the U.S. capital").first?.id == "usa#0")
    #expect(try index.search("e5-base").first?.id == "e5#0")
    #expect(try index.search("🚀🔥").isEmpty)
    #expect(try index.search("   ").isEmpty)
    // Operators are ordinary words, never applied: FTS5's `danube NOT rhine` would exclude the
    // passage that has both; here both passages mentioning the Danube are found.
    #expect(Set(try index.search("danube NOT rhine").map(\.id)) == ["danube#0", "rivers#0"])
    #expect(try index.plan("danube NOT rhine").matchExpression == "\"rhine\" OR \"danube\"")
    #expect(try index.plan("danube NOT rhine").terms.map(\.term).sorted() == ["danub", "rhine"])
}

@Test func queryPlanQuotesTermsAndKeepsTheRarest() throws {
    let index = try Fixtures.smallIndex(SearchConfig(maxQueryTerms: 2))
    let plan = try index.plan("the Danube Stroustrup Vienna unknownword")
    // "unknownword" is in no passage; of the rest the two rarest are kept.
    #expect(plan.terms.map(\.term) == ["stroustrup", "danub"])
    #expect(plan.matchExpression == "\"Stroustrup\" OR \"Danube\"")
    #expect(Set(plan.dropped) == ["the", "vienna"])
}

@Test func aLeadingQuestionWordIsNotSearched() throws {
    // The small corpus has no question words, so "danube" plays one here.
    let index = try Fixtures.smallIndex(SearchConfig(leadingQuestionWords: ["danub"]))
    #expect(try index.plan("Danube Vienna").terms.map(\.term) == ["vienna"])
    // Only in first place, and only when more words follow.
    #expect(try index.plan("Vienna Danube").terms.map(\.term).sorted() == ["danub", "vienna"])
    #expect(try index.plan("Danube").terms.map(\.term) == ["danub"])
    #expect(SearchConfig().leadingQuestionWords.isSuperset(of: ["what", "who", "how"]))
}

@Test func veryCommonTermsArePrunedButNeverEverything() throws {
    // "the" is in 5 of 8 passages: past the 0.5 limit it carries no IDF and is dropped.
    let index = try Fixtures.smallIndex()
    #expect(try index.documentFrequency(ofTerm: "the") == 5)
    #expect(try index.plan("the danube").terms.map(\.term) == ["danub"])
    // A query of only common terms keeps its rarest one, so it still returns passages.
    #expect(try index.plan("the").terms.map(\.term) == ["the"])
    #expect(try index.search("the").count == 5)
    // Without pruning the term is searched like any other.
    let unpruned = try Fixtures.smallIndex(SearchConfig(maxDocumentFrequencyRatio: 1))
    #expect(try unpruned.plan("the danube").terms.map(\.term) == ["danub", "the"])
}

@Test func infoReportsCountsAndSources() throws {
    let info = try Fixtures.smallIndex().info()
    #expect(info.documents == 8)
    #expect(info.passages == 8)
    #expect(info.bytes > 0)
    #expect(info.sources.map(\.name) == ["small.jsonl"])
    #expect(info.tokenizer == "porter unicode61")
}

@Test func directoryIndexFindsMarkdown() throws {
    let url = try Fixtures.temporaryDirectory().appendingPathComponent("notes.sqlite")
    let summary = try IndexBuilder().build(from: [DirectoryCorpus(url: Fixtures.folder.appendingPathComponent("notes"))], to: url)
    #expect(summary.documents == 2)
    let results = try SearchIndex(url: url).search("sandbox")
    #expect(results.map(\.id) == ["sub/beta.txt#0"])
}

@Test func openingSomethingElseFailsClearly() throws {
    let folder = try Fixtures.temporaryDirectory()
    #expect { try SearchIndex(url: folder.appendingPathComponent("none.sqlite")) } throws: { "\($0)".contains("no such file") }
    let other = folder.appendingPathComponent("other.sqlite")
    try Data().write(to: other)
    #expect { try SearchIndex(url: other) } throws: { "\($0)".contains("not a TurnRL search index") }
}

@Test func searchToolRendersCompactCappedOutput() throws {
    let tool = SearchTool(index: try Fixtures.smallIndex(), config: .init(defaultK: 3, maxK: 5, maxCharacters: 300))
    let output = try tool.call(argumentsJSON: #"{"query": "Vienna Danube", "k": "3"}"#)
    #expect(!output.isError)
    #expect(output.ids.count == 3)
    #expect(output.text.hasPrefix("1. Danube [danube#0]\nA long European river."))
    #expect(output.text.count <= 300)
    #expect(try tool.call(argumentsJSON: #"{"query": "Vienna", "k": 99}"#).ids.count <= 5)
    #expect(try tool.call(argumentsJSON: #"{"k": 3}"#).isError)
    #expect(try tool.call(argumentsJSON: #"{"query": "x", "k": 2.5}"#).isError)
    #expect(try tool.call(argumentsJSON: "not json").isError)
    #expect(try tool.call(argumentsJSON: #"{"query": "🚀"}"#).text == "No results. Try other words.")
}

@Test func queryMixIsSeededAndSized() throws {
    let index = try Fixtures.smallIndex()
    var a = SplitMix64(seed: 3), b = SplitMix64(seed: 3), c = SplitMix64(seed: 4)
    let first = try SearchQueryMix.make(count: 50, index: index, using: &a)
    #expect(first.count == 50)
    #expect(try SearchQueryMix.make(count: 50, index: index, using: &b) == first)
    #expect(try SearchQueryMix.make(count: 50, index: index, using: &c) != first)
    // Keyword queries are drawn from passage text, so most of them find something.
    #expect(try first.filter { try !index.search($0).isEmpty }.count > 25)
}
