import CSQLite
import Foundation

/// One token as FTS5's tokenizer produced it: the indexed form (lower-cased, diacritics removed,
/// Porter-stemmed) and the byte range of the original text it came from.
struct FTS5Token: Sendable, Equatable {
    /// The form stored in the index, e.g. `run` for `Running`.
    var term: String
    /// Byte range of the token's source text (e.g. `Running`) in the tokenized text's UTF-8.
    var start: Int
    var end: Int

    /// The exact source text of the token. Quoting it in a MATCH expression yields exactly
    /// `term` again: FTS5 tokenizes quoted strings with the same tokenizer.
    func surface(in utf8: [UInt8]) -> String {
        String(decoding: utf8[start..<end], as: UTF8.self)
    }
}

/// SQLite FTS5's own `porter unicode61` tokenizer, called directly through the `fts5_api`.
///
/// Why not re-implement it: query terms must be looked up in the index's vocabulary (document
/// frequencies) in exactly the form FTS5 stored, and any difference between a Swift stemmer and
/// FTS5's would silently mis-prune terms. Asking FTS5 itself makes the two identical by construction.
final class FTS5Tokenizer {
    private var module = fts5_tokenizer()
    private var instance: OpaquePointer?

    /// Finds the `porter` tokenizer (wrapping `unicode61`) registered on `connection`.
    init(connection: SQLiteConnection) throws {
        var api: UnsafeMutablePointer<fts5_api>?
        let statement = try connection.prepare("SELECT fts5(?1)")
        // SQLite compares this type tag with strcmp while the statement runs, so it must stay
        // alive until `step()` returns; strdup makes its lifetime explicit.
        let tag = strdup("fts5_api_ptr")
        defer { free(tag) }
        try withUnsafeMutablePointer(to: &api) { pointer in
            sqlite3_bind_pointer(statement.handle, 1, pointer, tag, nil)
            _ = try statement.step()
        }
        guard let api, api.pointee.iVersion >= 2, let find = api.pointee.xFindTokenizer else {
            throw SearchIndexError.sqlite(code: SQLITE_ERROR, message: "this SQLite has no FTS5 API", context: "looking up the FTS5 tokenizer")
        }
        var context: UnsafeMutableRawPointer?
        let found = find(api, "porter", &context, &module)
        guard found == SQLITE_OK, let create = module.xCreate else {
            throw SearchIndexError.sqlite(code: found, message: "FTS5 has no porter tokenizer", context: "looking up the FTS5 tokenizer")
        }
        // Same arguments as the table's `tokenize='porter unicode61'`.
        let arguments = [strdup("unicode61")]
        defer { arguments.forEach { free($0) } }
        var tokenizer: OpaquePointer?
        let created = arguments.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { buffer -> Int32 in
            var pointers = Array(buffer)
            return pointers.withUnsafeMutableBufferPointer { mutable in
                create(context, mutable.baseAddress, Int32(mutable.count), &tokenizer)
            }
        }
        guard created == SQLITE_OK, let tokenizer else {
            throw SearchIndexError.sqlite(code: created, message: "could not create the porter tokenizer", context: "creating the FTS5 tokenizer")
        }
        self.instance = tokenizer
    }

    deinit {
        if let instance, let delete = module.xDelete { delete(instance) }
    }

    /// Splits `text` into tokens, in order, exactly as FTS5 indexes it.
    func tokenize(_ text: String) -> [FTS5Token] {
        guard let instance, let run = module.xTokenize else { return [] }
        final class Collector {
            var tokens: [FTS5Token] = []
        }
        let bytes = Array(text.utf8)
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = run(instance, context, FTS5_TOKENIZE_DOCUMENT, chars.baseAddress, Int32(chars.count)) { context, _, token, length, start, end in
                    guard let context, let token else { return SQLITE_OK }
                    let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
                    let term = String(decoding: UnsafeRawBufferPointer(start: token, count: Int(length)), as: UTF8.self)
                    collector.tokens.append(FTS5Token(term: term, start: Int(start), end: Int(end)))
                    return SQLITE_OK
                }
            }
        }
        withExtendedLifetime(collector) {}
        return collector.tokens
    }
}
