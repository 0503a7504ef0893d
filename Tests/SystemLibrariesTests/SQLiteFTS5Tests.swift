import CSQLite
import Testing

/// SQLite has FTS5, and `ORDER BY bm25()` ranks the document with more matches first.
@Test func fts5RanksByBM25() throws {
    var db: OpaquePointer?
    #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
    defer { sqlite3_close(db) }
    let setup = """
        CREATE VIRTUAL TABLE docs USING fts5(title, body);
        INSERT INTO docs VALUES ('one', 'a river runs through the valley');
        INSERT INTO docs VALUES ('two', 'the river river river floods the river plain');
        INSERT INTO docs VALUES ('three', 'mountains and snow');
        INSERT INTO docs VALUES ('four', 'a river and a lake');
        """
    #expect(sqlite3_exec(db, setup, nil, nil, nil) == SQLITE_OK)

    var statement: OpaquePointer?
    let query = "SELECT title, bm25(docs) FROM docs WHERE docs MATCH 'river' ORDER BY bm25(docs)"
    #expect(sqlite3_prepare_v2(db, query, -1, &statement, nil) == SQLITE_OK)
    defer { sqlite3_finalize(statement) }
    var titles: [String] = []
    var scores: [Double] = []
    while sqlite3_step(statement) == SQLITE_ROW {
        titles.append(String(cString: sqlite3_column_text(statement, 0)))
        scores.append(sqlite3_column_double(statement, 1))
    }
    // bm25() is negated: lower is better, so ascending order puts the best first.
    #expect(titles.count == 3)
    #expect(titles.first == "two")
    #expect(!titles.contains("three"))
    #expect(scores == scores.sorted())
    #expect(scores.allSatisfy { $0 < 0 })
}
