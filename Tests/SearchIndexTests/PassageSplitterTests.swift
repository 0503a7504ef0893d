import Testing
@testable import SearchIndex

private func words(_ range: ClosedRange<Int>) -> String { range.map { "w\($0)" }.joined(separator: " ") }

@Test func shortDocumentIsOnePassage() throws {
    let splitter = try PassageSplitter(config: PassageConfig(words: 10, overlapWords: 2))
    let passages = splitter.split(SourceDocument(id: "d", title: "T", text: "  a\nb   c "))
    #expect(passages == [Passage(id: "d#0", documentID: "d", heading: "T", text: "a b c")])
    #expect(passages[0].title == "T")
}

@Test func longDocumentIsWindowedWithOverlapAndNoShortTail() throws {
    let splitter = try PassageSplitter(config: PassageConfig(words: 10, overlapWords: 3))
    let passages = splitter.split(SourceDocument(id: "d", title: "T", text: words(1...25)))
    // Windows start every 7 words; the last one is moved back to end exactly at word 25.
    #expect(passages.map(\.text) == [words(1...10), words(8...17), words(15...24), words(16...25)])
    #expect(passages.map(\.id) == ["d#0", "d#1", "d#2", "d#3"])
    #expect(passages.allSatisfy { $0.text.split(separator: " ").count == 10 })
}

@Test func eachFieldIsAPassageNamedInTheTitle() throws {
    let splitter = try PassageSplitter(config: PassageConfig(words: 10, overlapWords: 2))
    let document = SourceDocument(id: "factbook/xx/Government", entity: "Xland", title: "Government", fields: [
        .init(name: "Capital", text: "Capital, name: Xtown\nCapital, time difference: UTC+1"),
        .init(name: "Background", text: words(1...14)),  // longer than 10 words: windowed
    ])
    #expect(document.text == "Capital, name: Xtown\nCapital, time difference: UTC+1\n" + words(1...14))
    let passages = splitter.split(document)
    #expect(passages.map(\.title) == ["Xland — Government: Capital", "Xland — Government: Background", "Xland — Government: Background"])
    #expect(passages.map(\.heading) == ["Government: Capital", "Government: Background", "Government: Background"])
    #expect(passages.allSatisfy { $0.entity == "Xland" })
    #expect(passages[0].text == "Capital, name: Xtown Capital, time difference: UTC+1")
    #expect(passages[1].text == words(1...10))
    #expect(passages[2].text == words(5...14))
    #expect(passages.map(\.id) == (0..<3).map { "factbook/xx/Government#\($0)" })
}

@Test func invalidPassageConfigIsRejected() {
    #expect(throws: SearchIndexError.self) { try PassageSplitter(config: PassageConfig(words: 10, overlapWords: 10)) }
    #expect(throws: SearchIndexError.self) { try PassageSplitter(config: PassageConfig(words: 0, overlapWords: 0)) }
}
