import CSQLite
import Foundation

/// SQLite's "make your own copy of this string" destructor, which Swift cannot import as a macro.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A thin owner of one `sqlite3*` handle. Not thread-safe by itself: `SearchIndex` serialises
/// access with a lock, `IndexBuilder` uses its connection from one thread.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String

    /// Opens (or, with `create`, creates) the database at `path`.
    init(path: String, readOnly: Bool, create: Bool = false) throws {
        var db: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw SearchIndexError.sqlite(code: code, message: message, context: "opening \(path)")
        }
        self.handle = db
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs one or more SQL statements that return no rows.
    func execute(_ sql: String, context: String? = nil) throws {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else {
            throw SearchIndexError.sqlite(code: code, message: lastError, context: context ?? sql)
        }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }
}

/// One prepared statement. Reusable: `reset()` before binding new values.
final class SQLiteStatement {
    private let connection: SQLiteConnection
    let handle: OpaquePointer
    let sql: String

    init(connection: SQLiteConnection, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SearchIndexError.sqlite(code: code, message: connection.lastError, context: "preparing \(sql)")
        }
        self.connection = connection
        self.handle = statement
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ value: String, at index: Int32) {
        sqlite3_bind_text(handle, index, value, -1, sqliteTransient)
    }

    func bind(_ value: Int, at index: Int32) {
        sqlite3_bind_int64(handle, index, sqlite3_int64(value))
    }

    func bind(_ value: Data, at index: Int32) {
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }

    /// The blob in `column` of the current row, valid only until the next step or reset.
    func withBlob<T>(at column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// Steps once: true if a row is available, false when done.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw SearchIndexError.sqlite(code: code, message: connection.lastError, context: "running \(sql)")
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        while try step() {}
    }

    func string(at column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: text)
    }

    func int(at column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func double(at column: Int32) -> Double { sqlite3_column_double(handle, column) }
}
