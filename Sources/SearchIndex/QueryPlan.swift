/// A free-text query made safe: its distinct terms, rarest first, and the FTS5 MATCH expression
/// of them, each quoted, joined by OR (used for SQLite's own ranking, `rankedByFTS5`).
///
/// Anything a language model writes (`what's`, `C++`, `U.S.`, `e5-base`, `NOT`, `"`, `(`, emoji,
/// pasted pages) goes through FTS5's own tokenizer first, so only token characters (letters,
/// digits) ever reach the MATCH expression, each inside double quotes, where FTS5 reads them as
/// a plain phrase — never as an operator, column filter or prefix. A MATCH syntax error is
/// therefore impossible by construction; the fuzz test checks it.
public struct QueryPlan: Sendable, Equatable {
    /// A kept term: its indexed form, the text that produced it, and its document frequency.
    public struct Term: Sendable, Equatable {
        public var term: String
        public var surface: String
        public var documentFrequency: Int
    }

    /// Terms searched, rarest first.
    public var terms: [Term]
    /// Indexed forms dropped as too common (`maxDocumentFrequencyRatio`) or beyond `maxQueryTerms`.
    public var dropped: [String]

    /// The FTS5 MATCH expression, or nil when nothing is left to search (the result is empty).
    public var matchExpression: String? {
        guard !terms.isEmpty else { return nil }
        return terms.map { "\"" + $0.surface.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
    }

    /// Plans `tokens` (FTS5's tokens of `text`) given a document-frequency lookup.
    static func make(
        text: String, tokens: [FTS5Token], passageCount: Int, config: SearchConfig, documentFrequency: (String) throws -> Int
    ) rethrows -> QueryPlan {
        let utf8 = Array(text.utf8)
        var seen = Set<String>()
        var candidates: [Term] = []
        let skipFirst = tokens.count > 1 && config.leadingQuestionWords.contains(tokens[0].term)
        for token in tokens.dropFirst(skipFirst ? 1 : 0) where seen.insert(token.term).inserted {
            let frequency = try documentFrequency(token.term)
            // A term in no passage cannot match; leaving it out keeps the MATCH short.
            if frequency > 0 { candidates.append(Term(term: token.term, surface: token.surface(in: utf8), documentFrequency: frequency)) }
        }
        // Rarest first; ties keep query order (the sort is stable).
        candidates = candidates.enumerated().sorted {
            ($0.element.documentFrequency, $0.offset) < ($1.element.documentFrequency, $1.offset)
        }.map(\.element)
        let limit = config.maxDocumentFrequencyRatio * Double(passageCount)
        var kept = candidates.filter { config.maxDocumentFrequencyRatio >= 1 || Double($0.documentFrequency) < limit }
        if kept.isEmpty, let rarest = candidates.first { kept = [rarest] }
        kept = Array(kept.prefix(config.maxQueryTerms))
        let keptTerms = Set(kept.map(\.term))
        return QueryPlan(terms: kept, dropped: candidates.map(\.term).filter { !keptTerms.contains($0) })
    }
}
