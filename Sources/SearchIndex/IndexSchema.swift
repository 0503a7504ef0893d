/// The layout of a TurnRL search index file, shared by the builder and the reader.
enum IndexSchema {
    /// Bumped when the layout changes; `SearchIndex` refuses other versions.
    static let formatVersion = "1"
    static let tokenizer = "porter unicode61"

    /// `passages` holds the text once; `passages_fts` is an external-content FTS5 table over it
    /// (so the text is not stored twice); `passages_vocab` exposes per-term document counts, and
    /// `terms` is a copy of them in a b-tree filled after the build, because fts5vocab answers
    /// `term = ?` by scanning its whole vocabulary (milliseconds per unseen query term).
    static let create = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources(name TEXT PRIMARY KEY, version TEXT NOT NULL, licence TEXT NOT NULL,
                             attribution TEXT NOT NULL, documents INTEGER NOT NULL, passages INTEGER NOT NULL);
        CREATE TABLE passages(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, document_id TEXT NOT NULL,
                              source TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL);
        CREATE VIRTUAL TABLE passages_fts USING fts5(title, body, content='passages', content_rowid='rowid',
                                                     tokenize='\(tokenizer)');
        CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');
        CREATE TABLE terms(term TEXT PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID;
        """

    static let fillTerms = "INSERT INTO terms(term, documents) SELECT term, doc FROM passages_vocab"
}
