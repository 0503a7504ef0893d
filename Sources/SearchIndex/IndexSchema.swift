/// The layout of a TurnRL search index file, shared by the builder and the reader.
enum IndexSchema {
    /// Bumped when the layout changes; `SearchIndex` refuses other versions.
    static let formatVersion = "2"  // 2: entity column (the Factbook country) apart from the heading
    static let tokenizer = "porter unicode61"

    /// `passages` holds the text once (and the display title, `<entity> — <heading>`);
    /// `passages_fts` is an external-content FTS5 table over its entity, heading and body
    /// (so the text is not stored twice) for SQLite's own ranking and its tokenizer; `impacts` holds,
    /// per term, its document frequency and its posting list with each passage's precomputed
    /// BM25 contribution (see `ImpactList`), which is what queries are scored from.
    static let create = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources(name TEXT PRIMARY KEY, version TEXT NOT NULL, licence TEXT NOT NULL,
                             attribution TEXT NOT NULL, documents INTEGER NOT NULL, passages INTEGER NOT NULL);
        CREATE TABLE passages(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, document_id TEXT NOT NULL,
                              source TEXT NOT NULL, title TEXT NOT NULL, entity TEXT NOT NULL,
                              heading TEXT NOT NULL, body TEXT NOT NULL);
        CREATE VIRTUAL TABLE passages_fts USING fts5(entity, heading, body, content='passages', content_rowid='rowid',
                                                     tokenize='\(tokenizer)');
        CREATE TABLE impacts(term TEXT PRIMARY KEY, documents INTEGER NOT NULL, postings BLOB NOT NULL);
        """
}
