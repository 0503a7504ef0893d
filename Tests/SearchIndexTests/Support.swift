import Foundation
@testable import SearchIndex

/// Paths and shared indexes for the SearchIndex tests.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/SearchIndex")

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// An index of `small.jsonl`, built once per test process.
    static let small: Result<URL, any Error> = Result {
        let url = try temporaryDirectory().appendingPathComponent("small.sqlite")
        _ = try IndexBuilder().build(from: [JSONLCorpus(url: folder.appendingPathComponent("small.jsonl"))], to: url)
        return url
    }

    /// The bundled knowledge corpus (installed by `.ci/test` / `.ci/setup`), indexed once per
    /// test process (~3 s in release mode).
    static let knowledge: Result<URL, any Error> = Result {
        let url = try temporaryDirectory().appendingPathComponent("knowledge.sqlite")
        let readers = try KnowledgeCorpus(corporaDirectory: KnowledgeCorpus.defaultCorporaDirectory()).readers()
        _ = try IndexBuilder().build(from: readers, to: url)
        return url
    }

    static func smallIndex(_ config: SearchConfig = SearchConfig()) throws -> SearchIndex {
        try SearchIndex(url: small.get(), config: config)
    }

    static func knowledgeIndex(_ config: SearchConfig = SearchConfig()) throws -> SearchIndex {
        try SearchIndex(url: knowledge.get(), config: config)
    }
}
