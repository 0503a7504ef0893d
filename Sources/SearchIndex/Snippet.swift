/// The snippet of a result: the window of `tokens` consecutive tokens of the passage body that
/// holds the most query-term weight (each distinct term counted once, weighted by its IDF),
/// cut from the original text, with `…` where text was left out.
///
/// Why not FTS5's snippet(): it re-runs the MATCH for every result row, ~70 µs per result,
/// which was most of a query's time; this uses FTS5's own tokenizer (same terms, exact byte
/// offsets) on the one passage instead.
enum Snippet {
    static func make(text: String, tokens: [FTS5Token], weights: [String: Double], length: Int) -> String {
        guard !tokens.isEmpty else { return "" }
        let window = min(length, tokens.count)
        var counts: [String: Int] = [:]
        var weight = 0.0
        func enter(_ token: FTS5Token) {
            guard let w = weights[token.term] else { return }
            counts[token.term, default: 0] += 1
            if counts[token.term] == 1 { weight += w }
        }
        func leave(_ token: FTS5Token) {
            guard let w = weights[token.term] else { return }
            counts[token.term, default: 0] -= 1
            if counts[token.term] == 0 { weight -= w }
        }
        for token in tokens[0..<window] { enter(token) }
        var best = (start: 0, weight: weight)
        if window < tokens.count {
            for start in 1...(tokens.count - window) {
                leave(tokens[start - 1])
                enter(tokens[start + window - 1])
                // Strictly better only: ties keep the earliest window.
                if weight > best.weight + 1e-12 { best = (start, weight) }
            }
        }
        let utf8 = Array(text.utf8)
        let first = tokens[best.start], last = tokens[best.start + window - 1]
        // From the window's first token to the end of the sentence punctuation after its last.
        var end = last.end
        while end < utf8.count, end < last.end + 3, [UInt8(ascii: "."), UInt8(ascii: ")"), UInt8(ascii: "%"), UInt8(ascii: "\"")].contains(utf8[end]) { end += 1 }
        let body = String(decoding: utf8[first.start..<end], as: UTF8.self)
        let head = best.start > 0 ? "…" : ""
        let tail = best.start + window < tokens.count ? "…" : ""
        return head + body + tail
    }
}
