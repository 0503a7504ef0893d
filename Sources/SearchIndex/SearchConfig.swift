/// How passages are scored; fixed when the index is built (its impact lists are precomputed).
///
/// The score is exactly SQLite FTS5's `bm25(passages_fts, entityWeight, headingWeight, bodyWeight)`:
/// Σ over query terms of IDF × tf′(k1 + 1) / (tf′ + k1(1 − b + b·D/avgdl)), with
/// tf′ = entityWeight·tf(entity) + headingWeight·tf(heading) + bodyWeight·tf(body), D = all
/// tokens of the passage, IDF = ln((N − n + 0.5)/(n + 0.5)), clamped to 1e-6 when ≤ 0. k1 = 1.2
/// and b = 0.75 are the constants compiled into SQLite's bm25() (the values recommended by
/// Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and Beyond", §3.5).
///
/// Why three columns: every passage of a Factbook country repeats the country's name. With the
/// name in the title, the rare name terms scored all of that country's passages, and length
/// normalisation ranked them by shortness: "What is the capital of Holy See (Vatican City)?"
/// put the one-line Heliports and Map references passages first and the Capital passage 27th.
/// The entity is therefore its own column, weighted far above the rest, so that its terms'
/// frequency saturates (tf′ ≫ k1): each entity term then adds nearly (k1 + 1)·IDF to every
/// passage of the entity whatever its length, the entity acts as a filter, and the passage's
/// own heading (`Government: Capital`, weight 3) and body decide among its passages.
public struct RankingConfig: Sendable, Equatable, Codable {
    /// Weight of a match in the passage's entity (the Factbook country; empty elsewhere).
    /// At 20 an entity term scores 88–98 % of its BM25 maximum, (k1 + 1)·IDF, over the Factbook
    /// passages' lengths (5–144 tokens; at 3 it was 52–89 %).
    /// Measured by `Benchmarks/search_peer.py weights` on all 993 Factbook questions of the
    /// answerability test's kinds ("What is the capital of Algeria?"; capital, population,
    /// internet country code, total area) with the answering field in the top 5: weight 0.1 →
    /// 366, 1 → 842, 3 (what the old country-in-title index scored) → 980, 10 → 988, 20 → 992.
    /// A low weight fails because a country's passages then lose to other countries' passages
    /// and to Wikipedia text that names the country.
    public var entityWeight: Double
    /// Weight of a match in the passage's own heading relative to a body match (BM25F-style
    /// column weights). 3 is the title boost of Elasticsearch's `multi_match` documentation
    /// (`subject^3`).
    public var headingWeight: Double
    /// Weight of a body match.
    public var bodyWeight: Double
    /// BM25 term-frequency saturation, as in SQLite's bm25().
    public static let k1 = 1.2
    /// BM25 length normalisation, as in SQLite's bm25().
    public static let b = 0.75

    public init(entityWeight: Double = 20, headingWeight: Double = 3, bodyWeight: Double = 1) {
        self.entityWeight = entityWeight
        self.headingWeight = headingWeight
        self.bodyWeight = bodyWeight
    }

    func validate() throws {
        guard entityWeight >= 0, headingWeight >= 0, bodyWeight >= 0, entityWeight + headingWeight + bodyWeight > 0 else {
            throw SearchIndexError.invalidConfiguration(field: "column weights", reason: "must be ≥ 0 and not all 0")
        }
    }
}

/// How a free-text query becomes a set of terms, and how results are shown.
public struct SearchConfig: Sendable, Equatable, Codable {
    /// Query terms present in at least this fraction of passages are dropped. At 0.5 this is
    /// exactly the set FTS5 already scores as nothing: its IDF, log((N − n + 0.5)/(n + 0.5)), is
    /// ≤ 0 for n ≥ N/2 and clamped to 1e-6, so dropping them changes no ranking among passages
    /// that match any other term, and saves reading their long posting lists. Set to 1 to keep
    /// every term. If every term is that common, the rarest one is kept so the query still matches.
    /// `turnrl bench search` measures lower cut-offs (faster, but they change the ranking).
    public var maxDocumentFrequencyRatio: Double
    /// At most this many distinct query terms are searched, the rarest first (highest IDF): a
    /// 10 KB pasted text would otherwise become a thousand-term OR query.
    public var maxQueryTerms: Int
    /// A query's first word is dropped when it is one of these (indexed forms) and more words
    /// follow. A leading interrogative asks for the answer's type, not its topic, and
    /// encyclopedic text rarely uses it, so BM25 would give it a high IDF and rank passages
    /// that happen to say "what is now Botswana" above the answer (measured on the
    /// answerability test: 98 → 99 of 100 facts in the top 5). Only the first word, so
    /// "Who founded the WHO" still searches "WHO".
    public var leadingQuestionWords: Set<String>
    /// Only the first this-many bytes of a query are read (bounds the tokenizer's work).
    public var maxQueryBytes: Int
    /// Tokens in a snippet (32: about two lines, enough to show a fact around its terms).
    public var snippetTokens: Int

    public init(
        maxDocumentFrequencyRatio: Double = 0.5, maxQueryTerms: Int = 32, maxQueryBytes: Int = 16_384,
        snippetTokens: Int = 32,
        leadingQuestionWords: Set<String> = ["what", "which", "who", "whom", "whose", "when", "where", "why", "how"]
    ) {
        self.leadingQuestionWords = leadingQuestionWords
        self.maxDocumentFrequencyRatio = maxDocumentFrequencyRatio
        self.maxQueryTerms = maxQueryTerms
        self.maxQueryBytes = maxQueryBytes
        self.snippetTokens = snippetTokens
    }

    func validate() throws {
        guard maxDocumentFrequencyRatio > 0, maxDocumentFrequencyRatio <= 1 else {
            throw SearchIndexError.invalidConfiguration(field: "maxDocumentFrequencyRatio", reason: "must be in (0, 1]")
        }
        guard maxQueryTerms >= 1 else { throw SearchIndexError.invalidConfiguration(field: "maxQueryTerms", reason: "must be ≥ 1") }
        guard maxQueryBytes >= 1 else { throw SearchIndexError.invalidConfiguration(field: "maxQueryBytes", reason: "must be ≥ 1") }
        guard snippetTokens >= 1 else {
            throw SearchIndexError.invalidConfiguration(field: "snippetTokens", reason: "must be ≥ 1")
        }
    }
}
