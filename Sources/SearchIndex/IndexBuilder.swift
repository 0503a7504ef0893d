import CSQLite
import Foundation

/// What a build reports while it runs, for progress bars.
public enum BuildProgress: Sendable {
    /// Reading and splitting one corpus.
    case reading(source: String)
    /// `done` of `total` passages written to the index.
    case indexing(done: Int, total: Int)
    /// Computing and writing each term's impact list (see `ImpactList`).
    case scoring
    /// Merging FTS5's segments into one b-tree (`optimize`) and compacting the file.
    case optimizing
}

/// What a finished build made.
public struct BuildSummary: Sendable, Codable {
    public var documents: Int
    public var passages: Int
    public var seconds: Double
    public var bytes: Int
    public var passagesPerSecond: Double

    init(documents: Int, passages: Int, seconds: Double, bytes: Int) {
        self.documents = documents
        self.passages = passages
        self.seconds = seconds
        self.bytes = bytes
        self.passagesPerSecond = seconds > 0 ? Double(passages) / seconds : 0
    }
}

/// Builds a search index file from corpora.
public struct IndexBuilder: Sendable {
    public let splitter: PassageSplitter
    public let ranking: RankingConfig

    public init(passageConfig: PassageConfig = PassageConfig(), ranking: RankingConfig = RankingConfig()) throws {
        try ranking.validate()
        self.splitter = try PassageSplitter(config: passageConfig)
        self.ranking = ranking
    }

    /// Reads every corpus, splits documents into passages and writes a new index to `url`,
    /// replacing any file there only when the build succeeded (it is built beside it and renamed).
    public func build(
        from readers: [any CorpusReader], to url: URL, progress: (BuildProgress) -> Void = { _ in }
    ) throws -> BuildSummary {
        let started = Date()
        var batches: [(source: CorpusSource, documents: Int, passages: [Passage])] = []
        for reader in readers {
            progress(.reading(source: reader.source.name))
            let documents = try reader.documents()
            batches.append((reader.source, documents.count, documents.flatMap(splitter.split)))
        }

        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).building-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: temporary)
        do {
            try write(batches, to: temporary, progress: progress)
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return BuildSummary(
            documents: batches.reduce(0) { $0 + $1.documents }, passages: batches.reduce(0) { $0 + $1.passages.count },
            seconds: Date().timeIntervalSince(started), bytes: bytes)
    }

    private func write(
        _ batches: [(source: CorpusSource, documents: Int, passages: [Passage])], to url: URL,
        progress: (BuildProgress) -> Void
    ) throws {
        let db = try SQLiteConnection(path: url.path, readOnly: false, create: true)
        // A fresh file that is renamed into place only on success needs no journal.
        try db.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;")
        try db.execute(IndexSchema.create, context: "creating the index schema")
        try db.execute("BEGIN")
        let meta = try db.prepare("INSERT INTO meta(key, value) VALUES (?1, ?2)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let config = String(decoding: try encoder.encode(splitter.config), as: UTF8.self)
        let rankingJSON = String(decoding: try encoder.encode(ranking), as: UTF8.self)
        for (key, value) in [("format", IndexSchema.formatVersion), ("tokenizer", IndexSchema.tokenizer),
                             ("passage_config", config), ("ranking", rankingJSON),
                             ("built_at", ISO8601DateFormatter().string(from: Date()))] {
            meta.reset(); meta.bind(key, at: 1); meta.bind(value, at: 2); try meta.run()
        }
        let sourceRow = try db.prepare("INSERT INTO sources VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        let passageRow = try db.prepare("""
            INSERT INTO passages(rowid, id, document_id, source, title, entity, heading, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
        let ftsRow = try db.prepare("INSERT INTO passages_fts(rowid, entity, heading, body) VALUES (?1, ?2, ?3, ?4)")
        let total = batches.reduce(0) { $0 + $1.passages.count }
        let tokenizer = try FTS5Tokenizer(connection: db)
        var postings = PostingCollector()
        var rowid = 0
        for batch in batches {
            sourceRow.reset()
            sourceRow.bind(batch.source.name, at: 1); sourceRow.bind(batch.source.version, at: 2)
            sourceRow.bind(batch.source.licence, at: 3); sourceRow.bind(batch.source.attribution, at: 4)
            sourceRow.bind(batch.documents, at: 5); sourceRow.bind(batch.passages.count, at: 6)
            do { try sourceRow.run() } catch {
                throw SearchIndexError.badInput(path: batch.source.attribution, line: nil, reason: "the source \(batch.source.name) is given twice")
            }
            for passage in batch.passages {
                rowid += 1
                passageRow.reset()
                passageRow.bind(rowid, at: 1); passageRow.bind(passage.id, at: 2); passageRow.bind(passage.documentID, at: 3)
                passageRow.bind(batch.source.name, at: 4); passageRow.bind(passage.title, at: 5)
                passageRow.bind(passage.entity, at: 6); passageRow.bind(passage.heading, at: 7); passageRow.bind(passage.text, at: 8)
                do { try passageRow.run() } catch SearchIndexError.sqlite(let code, _, _) where code & 0xFF == SQLITE_CONSTRAINT {
                    throw SearchIndexError.duplicateID(id: passage.id, source: batch.source.name)
                }
                ftsRow.reset()
                ftsRow.bind(rowid, at: 1); ftsRow.bind(passage.entity, at: 2); ftsRow.bind(passage.heading, at: 3)
                ftsRow.bind(passage.text, at: 4)
                try ftsRow.run()
                postings.add(row: Int32(rowid), columns: [
                    (tokenizer.tokenize(passage.entity), ranking.entityWeight),
                    (tokenizer.tokenize(passage.heading), ranking.headingWeight),
                    (tokenizer.tokenize(passage.text), ranking.bodyWeight),
                ])
                if rowid % 500 == 0 { progress(.indexing(done: rowid, total: total)) }
            }
        }
        progress(.indexing(done: total, total: total))
        progress(.scoring)
        let impactRow = try db.prepare("INSERT INTO impacts(term, documents, postings) VALUES (?1, ?2, ?3)")
        for (term, list) in postings.impactLists(passages: total) {
            impactRow.reset()
            impactRow.bind(term, at: 1); impactRow.bind(list.rowids.count, at: 2); impactRow.bind(list.encoded(), at: 3)
            try impactRow.run()
        }
        try db.execute("COMMIT")
        progress(.optimizing)
        try db.execute("INSERT INTO passages_fts(passages_fts) VALUES('optimize')", context: "optimizing the FTS5 index")
        try db.execute("VACUUM", context: "compacting the index file")
    }
}

/// Collects, per term, the passages holding it with their column-weighted term frequency and
/// length, then turns them into impact lists with FTS5's BM25 formula.
struct PostingCollector {
    private var entries: [String: [(row: Int32, weightedFrequency: Double)]] = [:]
    private var lengths: [Int32: Int] = [:]
    private var totalTokens = 0

    /// Adds one passage given each FTS5 column's tokens with the column's weight.
    mutating func add(row: Int32, columns: [(tokens: [FTS5Token], weight: Double)]) {
        var frequency: [String: Double] = [:]
        for (tokens, weight) in columns {
            for token in tokens { frequency[token.term, default: 0] += weight }
        }
        for (term, weighted) in frequency { entries[term, default: []].append((row, weighted)) }
        let length = columns.reduce(0) { $0 + $1.tokens.count }
        lengths[row] = length
        totalTokens += length
    }

    /// Impact lists in term order; rows ascending within each list.
    func impactLists(passages: Int) -> [(term: String, list: ImpactList)] {
        // FTS5's avgdl: all tokens of all columns over the number of rows.
        let averageLength = passages > 0 ? Double(totalTokens) / Double(passages) : 1
        return entries.keys.sorted().map { term in
            let postings = entries[term]!
            let idf = ImpactList.idf(passages: passages, documents: postings.count)
            let scores = postings.map { posting in
                Float(ImpactList.impact(weightedFrequency: posting.weightedFrequency, length: Double(lengths[posting.row] ?? 0),
                                        averageLength: averageLength, idf: idf))
            }
            return (term, ImpactList(rowids: postings.map(\.row), scores: scores))
        }
    }
}
