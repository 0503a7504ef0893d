import CSQLite
import Foundation

/// One search hit.
public struct SearchResult: Sendable, Equatable, Codable {
    /// The passage id, `<document id>#<passage index>`.
    public var id: String
    public var title: String
    /// BM25 score: higher is better (SQLite's `bm25()` negated).
    public var score: Double
    /// Up to `snippetTokens` tokens of the body around the matched terms; `…` marks cuts.
    public var snippet: String
}

/// What `SearchIndex.info()` reports.
public struct IndexInfo: Sendable, Codable {
    public struct Source: Sendable, Codable {
        public var name: String
        public var version: String
        public var licence: String
        public var attribution: String
        public var documents: Int
        public var passages: Int
    }
    public var path: String
    public var documents: Int
    public var passages: Int
    public var bytes: Int
    public var format: String
    public var tokenizer: String
    public var builtAt: String
    public var passageConfig: String
    public var sources: [Source]
}

/// A read-only, in-process BM25 search index over one SQLite FTS5 file.
///
/// Safe to share across tasks: every call holds an internal lock around the one SQLite
/// connection (SQLite connections are not reentrant; opened with `SQLITE_OPEN_NOMUTEX`, so the
/// lock here is the only synchronisation). Open one per thread for parallel queries.
public final class SearchIndex: @unchecked Sendable {
    public let url: URL
    public let config: SearchConfig
    /// Number of passages, N in BM25's IDF.
    public let passageCount: Int

    private let lock = NSLock()
    private let db: SQLiteConnection
    private let tokenizer: FTS5Tokenizer
    private let frequencyStatement: SQLiteStatement
    private let searchStatement: SQLiteStatement
    private let passageStatement: SQLiteStatement
    private var frequencies: [String: Int] = [:]
    private let rankExpression: String

    /// Opens the index at `url` for reading.
    public init(url: URL, config: SearchConfig = SearchConfig()) throws {
        try config.validate()
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SearchIndexError.notAnIndex(path: url.path, reason: "no such file")
        }
        self.url = url
        self.config = config
        let db = try SQLiteConnection(path: url.path, readOnly: true)
        let format: String
        do {
            let statement = try db.prepare("SELECT value FROM meta WHERE key = 'format'")
            format = try statement.step() ? statement.string(at: 0) : ""
        } catch {
            throw SearchIndexError.notAnIndex(path: url.path, reason: "it has no TurnRL meta table")
        }
        guard format == IndexSchema.formatVersion else {
            throw SearchIndexError.notAnIndex(path: url.path, reason: "format \"\(format)\", this build reads format \(IndexSchema.formatVersion)")
        }
        let count = try db.prepare("SELECT count(*) FROM passages")
        _ = try count.step()
        self.passageCount = count.int(at: 0)
        self.db = db
        self.tokenizer = try FTS5Tokenizer(connection: db)
        self.frequencyStatement = try db.prepare("SELECT documents FROM terms WHERE term = ?1")
        // `rank MATCH 'bm25(…)'` sets the column weights for this query; `ORDER BY rank` lets FTS5
        // sort internally, so snippet() runs only for the k rows returned.
        self.searchStatement = try db.prepare("""
            SELECT p.id, p.title, -f.rank, f.snip FROM (
                SELECT rowid, rank, snippet(passages_fts, 1, '', '', '…', ?3) AS snip
                FROM passages_fts WHERE passages_fts MATCH ?1 AND rank MATCH ?2 ORDER BY rank LIMIT ?4
            ) AS f JOIN passages AS p ON p.rowid = f.rowid ORDER BY f.rank
            """)
        self.passageStatement = try db.prepare("SELECT body FROM passages WHERE id = ?1")
        self.rankExpression = "bm25(\(config.titleWeight), \(config.bodyWeight))"
    }

    /// How `query` will be searched: the terms kept, rarest first, and the ones dropped.
    public func plan(_ query: String) throws -> QueryPlan {
        lock.lock()
        defer { lock.unlock() }
        return try planLocked(query)
    }

    /// The `k` best passages for `query`, best first. Never throws for any query text; throws
    /// only if the index file itself fails.
    public func search(_ query: String, k: Int = 10) throws -> [SearchResult] {
        guard k > 0 else { return [] }
        lock.lock()
        defer { lock.unlock() }
        guard let match = try planLocked(query).matchExpression else { return [] }
        let statement = searchStatement
        statement.reset()
        statement.bind(match, at: 1)
        statement.bind(rankExpression, at: 2)
        statement.bind(config.snippetTokens, at: 3)
        statement.bind(k, at: 4)
        var results: [SearchResult] = []
        while try statement.step() {
            results.append(SearchResult(
                id: statement.string(at: 0), title: statement.string(at: 1),
                score: statement.double(at: 2), snippet: Self.oneLine(statement.string(at: 3))))
        }
        statement.reset()
        return results
    }

    /// The passage stored at position `number` (1...passageCount, in build order), for sampling.
    public func passage(number: Int) throws -> Passage? {
        lock.lock()
        defer { lock.unlock() }
        let statement = try db.prepare("SELECT id, document_id, title, body FROM passages WHERE rowid = ?1")
        statement.bind(number, at: 1)
        guard try statement.step() else { return nil }
        return Passage(id: statement.string(at: 0), documentID: statement.string(at: 1), title: statement.string(at: 2), text: statement.string(at: 3))
    }

    /// The full text of the passages with these ids (ids not in the index are absent).
    public func passageTexts(ids: [String]) throws -> [String: String] {
        lock.lock()
        defer { lock.unlock() }
        var texts: [String: String] = [:]
        for id in ids {
            passageStatement.reset()
            passageStatement.bind(id, at: 1)
            if try passageStatement.step() { texts[id] = passageStatement.string(at: 0) }
            passageStatement.reset()
        }
        return texts
    }

    /// The number of passages containing `term` (an indexed, stemmed form).
    public func documentFrequency(ofTerm term: String) throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        return try frequencyLocked(term)
    }

    /// FTS5's tokens of `text` (indexed form), as the index sees it.
    public func terms(of text: String) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return tokenizer.tokenize(text).map(\.term)
    }

    /// Counts, size, build settings and the sources with their licences.
    public func info() throws -> IndexInfo {
        lock.lock()
        defer { lock.unlock() }
        var meta: [String: String] = [:]
        let metaRows = try db.prepare("SELECT key, value FROM meta")
        while try metaRows.step() { meta[metaRows.string(at: 0)] = metaRows.string(at: 1) }
        let documents = try db.prepare("SELECT count(DISTINCT document_id) FROM passages")
        _ = try documents.step()
        var sources: [IndexInfo.Source] = []
        let sourceRows = try db.prepare("SELECT name, version, licence, attribution, documents, passages FROM sources ORDER BY rowid")
        while try sourceRows.step() {
            sources.append(.init(
                name: sourceRows.string(at: 0), version: sourceRows.string(at: 1), licence: sourceRows.string(at: 2),
                attribution: sourceRows.string(at: 3), documents: sourceRows.int(at: 4), passages: sourceRows.int(at: 5)))
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return IndexInfo(
            path: url.path, documents: documents.int(at: 0), passages: passageCount, bytes: bytes,
            format: meta["format"] ?? "", tokenizer: meta["tokenizer"] ?? "", builtAt: meta["built_at"] ?? "",
            passageConfig: meta["passage_config"] ?? "", sources: sources)
    }

    private func planLocked(_ query: String) throws -> QueryPlan {
        let text = query.utf8.count > config.maxQueryBytes ? Self.prefix(query, bytes: config.maxQueryBytes) : query
        return try QueryPlan.make(tokens: tokenizer.tokenize(text), passageCount: passageCount, config: config) {
            try frequencyLocked($0)
        }
    }

    private func frequencyLocked(_ term: String) throws -> Int {
        if let cached = frequencies[term] { return cached }
        let statement = frequencyStatement
        statement.reset()
        statement.bind(term, at: 1)
        let frequency = try statement.step() ? statement.int(at: 0) : 0
        statement.reset()
        // Known terms are bounded by the vocabulary; unknown ones (typos, random text) are cached
        // only while the cache is small, so a stream of random queries cannot grow it without bound.
        if frequency > 0 || frequencies.count < 100_000 { frequencies[term] = frequency }
        return frequency
    }

    /// Snippets span field lines; one line reads better in a terminal and in a model's context.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// `text` cut to at most `bytes` UTF-8 bytes; a character cut in half becomes U+FFFD, which
    /// the tokenizer treats as a separator.
    static func prefix(_ text: String, bytes: Int) -> String {
        String(decoding: text.utf8.prefix(bytes), as: UTF8.self)
    }
}
