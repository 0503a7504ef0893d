/// How queries are turned into FTS5 and ranked. BM25's k1 = 1.2 and b = 0.75 are fixed inside
/// SQLite's `bm25()` (the values of Robertson & Zaragoza 2009, "The Probabilistic Relevance
/// Framework: BM25 and Beyond", §3.5) and are not settable here.
public struct SearchConfig: Sendable, Equatable, Codable {
    /// Weight of a title match relative to a body match (BM25F-style column weights in `bm25()`).
    /// 3 is the title boost of Elasticsearch's `multi_match` documentation (`subject^3`).
    public var titleWeight: Double
    /// Weight of a body match.
    public var bodyWeight: Double
    /// Query terms present in at least this fraction of passages are dropped. At 0.5 this is
    /// exactly the set FTS5 already scores as nothing: its IDF, log((N − n + 0.5)/(n + 0.5)), is
    /// ≤ 0 for n ≥ N/2 and clamped to 1e-6, so dropping them changes no ranking among passages
    /// that match any other term, and saves reading their long posting lists. Set to 1 to keep
    /// every term. If every term is that common, the rarest one is kept so the query still matches.
    public var maxDocumentFrequencyRatio: Double
    /// At most this many distinct query terms are searched, the rarest first (highest IDF): a
    /// 10 KB pasted text would otherwise become a thousand-term OR query.
    public var maxQueryTerms: Int
    /// Only the first this-many bytes of a query are read (bounds the tokenizer's work).
    public var maxQueryBytes: Int
    /// Tokens in a snippet (FTS5's `snippet()` allows at most 64).
    public var snippetTokens: Int

    public init(
        titleWeight: Double = 3, bodyWeight: Double = 1, maxDocumentFrequencyRatio: Double = 0.5,
        maxQueryTerms: Int = 32, maxQueryBytes: Int = 16_384, snippetTokens: Int = 32
    ) {
        self.titleWeight = titleWeight
        self.bodyWeight = bodyWeight
        self.maxDocumentFrequencyRatio = maxDocumentFrequencyRatio
        self.maxQueryTerms = maxQueryTerms
        self.maxQueryBytes = maxQueryBytes
        self.snippetTokens = snippetTokens
    }

    func validate() throws {
        guard titleWeight >= 0, bodyWeight >= 0, titleWeight + bodyWeight > 0 else {
            throw SearchIndexError.invalidConfiguration(field: "column weights", reason: "must be ≥ 0 and not both 0")
        }
        guard maxDocumentFrequencyRatio > 0, maxDocumentFrequencyRatio <= 1 else {
            throw SearchIndexError.invalidConfiguration(field: "maxDocumentFrequencyRatio", reason: "must be in (0, 1]")
        }
        guard maxQueryTerms >= 1 else { throw SearchIndexError.invalidConfiguration(field: "maxQueryTerms", reason: "must be ≥ 1") }
        guard maxQueryBytes >= 1 else { throw SearchIndexError.invalidConfiguration(field: "maxQueryBytes", reason: "must be ≥ 1") }
        guard (1...64).contains(snippetTokens) else {
            throw SearchIndexError.invalidConfiguration(field: "snippetTokens", reason: "must be in 1...64")
        }
    }
}
