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

    /// The column weights the index was built with.
    public let ranking: RankingConfig

    private let lock = NSLock()
    private let db: SQLiteConnection
    private let tokenizer: FTS5Tokenizer
    private let frequencyStatement: SQLiteStatement
    private let postingsStatement: SQLiteStatement
    private let rowStatement: SQLiteStatement
    private let rowStatementNoBody: SQLiteStatement
    private let passageStatement: SQLiteStatement
    private var frequencies: [String: Int] = [:]
    private var accumulator: ScoreAccumulator
    /// Impact lists already read, kept while their total stays under `maxCachedPostings`: the
    /// common terms every query repeats then cost no SQLite read (a 20,000-posting list is a
    /// 160 KB blob over 20 overflow pages).
    private var cachedLists: [String: Data] = [:]
    private var cachedPostings = 0
    private static let maxCachedPostings = 4_000_000  // 32 MB

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
        let rankingRow = try db.prepare("SELECT value FROM meta WHERE key = 'ranking'")
        guard try rankingRow.step(), let ranking = try? JSONDecoder().decode(RankingConfig.self, from: Data(rankingRow.string(at: 0).utf8)) else {
            throw SearchIndexError.notAnIndex(path: url.path, reason: "its ranking settings are missing")
        }
        self.ranking = ranking
        self.accumulator = ScoreAccumulator(rows: passageCount)
        self.frequencyStatement = try db.prepare("SELECT documents FROM impacts WHERE term = ?1")
        self.postingsStatement = try db.prepare("SELECT documents, postings FROM impacts WHERE term = ?1")
        self.rowStatement = try db.prepare("SELECT id, title, body FROM passages WHERE rowid = ?1")
        self.rowStatementNoBody = try db.prepare("SELECT id, title, '' FROM passages WHERE rowid = ?1")
        self.passageStatement = try db.prepare("SELECT body FROM passages WHERE id = ?1")
    }

    /// How `query` will be searched: the terms kept, rarest first, and the ones dropped.
    public func plan(_ query: String) throws -> QueryPlan {
        lock.lock()
        defer { lock.unlock() }
        return try planLocked(query)
    }

    /// The `k` best passages for `query`, best first. Never throws for any query text; throws
    /// only if the index file itself fails. With `snippets: false` the results' snippets are
    /// empty, which saves tokenizing each result passage (~20 µs each).
    ///
    /// Scores are summed from the terms' impact lists (see `ImpactList`); they equal SQLite's
    /// `bm25()` for the same terms (a test checks it against `rankedByFTS5`).
    public func search(_ query: String, k: Int = 10, snippets: Bool = true) throws -> [SearchResult] {
        guard k > 0 else { return [] }
        lock.lock()
        defer { lock.unlock() }
        let plan = try planLocked(query)
        guard !plan.terms.isEmpty else { return [] }
        defer { accumulator.clear() }
        for term in plan.terms {
            if let cached = cachedLists[term.term] {
                cached.withUnsafeBytes { accumulator.add(postings: $0, count: term.documentFrequency) }
                continue
            }
            postingsStatement.reset()
            postingsStatement.bind(term.term, at: 1)
            if try postingsStatement.step() {
                let count = postingsStatement.int(at: 0)
                let blob = postingsStatement.withBlob(at: 1) { Data($0) }
                blob.withUnsafeBytes { accumulator.add(postings: $0, count: count) }
                if cachedPostings + count <= Self.maxCachedPostings {
                    cachedLists[term.term] = blob
                    cachedPostings += count
                }
            }
            postingsStatement.reset()
        }
        var weights: [String: Double] = [:]
        for term in plan.terms { weights[term.term] = ImpactList.idf(passages: passageCount, documents: term.documentFrequency) }
        let rowStatement = snippets ? self.rowStatement : rowStatementNoBody
        return try accumulator.top(k).map { row, score in
            rowStatement.reset()
            rowStatement.bind(row, at: 1)
            guard try rowStatement.step() else {
                throw SearchIndexError.sqlite(code: 0, message: "passage row \(row) is missing", context: "reading results")
            }
            let id = rowStatement.string(at: 0), title = rowStatement.string(at: 1), body = rowStatement.string(at: 2)
            rowStatement.reset()
            guard snippets else { return SearchResult(id: id, title: title, score: Double(score), snippet: "") }
            let snippet = Snippet.make(text: body, tokens: tokenizer.tokenize(body), weights: weights, length: config.snippetTokens)
            return SearchResult(id: id, title: title, score: Double(score), snippet: Self.oneLine(snippet))
        }
    }

    /// The same query ranked by SQLite itself (`ORDER BY bm25()` with the index's column
    /// weights), without snippets: the reference `search` is tested against, and the slow path
    /// `turnrl bench search` compares with. Returns (id, score) best first.
    public func rankedByFTS5(_ query: String, k: Int = 10) throws -> [(id: String, score: Double)] {
        lock.lock()
        defer { lock.unlock() }
        guard let match = try planLocked(query).matchExpression else { return [] }
        let statement = try db.prepare("""
            SELECT p.id, -f.rank FROM (
                SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ?1 AND rank MATCH ?2 ORDER BY rank LIMIT ?3
            ) AS f JOIN passages AS p ON p.rowid = f.rowid ORDER BY f.rank
            """)
        statement.bind(match, at: 1)
        statement.bind("bm25(\(ranking.entityWeight), \(ranking.headingWeight), \(ranking.bodyWeight))", at: 2)
        statement.bind(k, at: 3)
        var results: [(id: String, score: Double)] = []
        while try statement.step() { results.append((statement.string(at: 0), statement.double(at: 1))) }
        return results
    }

    /// The passage stored at position `number` (1...passageCount, in build order), for sampling.
    public func passage(number: Int) throws -> Passage? {
        lock.lock()
        defer { lock.unlock() }
        let statement = try db.prepare("SELECT id, document_id, entity, heading, body FROM passages WHERE rowid = ?1")
        statement.bind(number, at: 1)
        guard try statement.step() else { return nil }
        return Passage(id: statement.string(at: 0), documentID: statement.string(at: 1), entity: statement.string(at: 2),
                       heading: statement.string(at: 3), text: statement.string(at: 4))
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
        return try QueryPlan.make(text: text, tokens: tokenizer.tokenize(text), passageCount: passageCount, config: config) {
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
    /// Collapses runs of ASCII whitespace on UTF-8 bytes (Character-level splitting was a
    /// measurable share of a query's time).
    static func oneLine(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(0x20); pendingSpace = false }
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` cut to at most `bytes` UTF-8 bytes; a character cut in half becomes U+FFFD, which
    /// the tokenizer treats as a separator.
    static func prefix(_ text: String, bytes: Int) -> String {
        String(decoding: text.utf8.prefix(bytes), as: UTF8.self)
    }
}
