/// A seeded mix of the queries a search agent sends (for `turnrl bench search`), made from the index's own passages:
///
/// - 30 % natural questions about Factbook fields ("What is the Capital of Peru?"),
/// - 25 % Wikipedia article titles, bare or as a request ("Tell me about Photosynthesis"),
/// - 20 % 2–4 keywords taken from a passage,
/// - 15 % messy model output (quotes, `C++`, `U.S.`, operators, brackets, emoji) around keywords,
/// - 10 % pasted context: 50–200 words of a passage.
public enum SearchQueryMix {
    /// `count` queries sampled from `index`'s passages with `rng`.
    public static func make(count: Int, index: SearchIndex, using rng: inout some RandomNumberGenerator) throws -> [String] {
        var queries: [String] = []
        queries.reserveCapacity(count)
        let noise = ["what's", "C++", "U.S.", "e5-base", "NOT", "\"", "(", ")", "AND", "OR", "🤔", "?", "title:", "*"]
        while queries.count < count {
            guard let passage = try index.passage(number: Int.random(in: 1...index.passageCount, using: &rng)) else { continue }
            let words = passage.text.split(separator: " ").map(String.init)
            let roll = Int.random(in: 0..<100, using: &rng)
            switch roll {
            case 0..<30:
                // Factbook titles read "<country> — <section>: <field>"; Wikipedia ones are plain.
                guard passage.documentID.hasPrefix("factbook/"), let dash = passage.title.range(of: " — "),
                      let colon = passage.title.range(of: ": ", range: dash.upperBound..<passage.title.endIndex) else { continue }
                let country = passage.title[..<dash.lowerBound]
                let field = passage.title[colon.upperBound...]
                queries.append("What is the \(field) of \(country)?")
            case 30..<55:
                guard passage.documentID.hasPrefix("wiki/") else { continue }
                let forms = ["\(passage.title)", "Tell me about \(passage.title)", "who or what is \(passage.title)?"]
                queries.append(forms.randomElement(using: &rng)!)
            case 55..<75:
                guard !words.isEmpty else { continue }
                queries.append((0..<Int.random(in: 2...4, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " "))
            case 75..<90:
                guard !words.isEmpty else { continue }
                var parts = (0..<Int.random(in: 2...4, using: &rng)).map { _ in words.randomElement(using: &rng)! }
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    parts.insert(noise.randomElement(using: &rng)!, at: Int.random(in: 0...parts.count, using: &rng))
                }
                queries.append(parts.joined(separator: " "))
            default:
                guard words.count >= 50 else { continue }
                let length = Int.random(in: 50...min(200, words.count), using: &rng)
                let start = Int.random(in: 0...(words.count - length), using: &rng)
                queries.append(words[start..<start + length].joined(separator: " "))
            }
        }
        return queries
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, seeded generator, so sampled query mixes and
/// test samples are the same on every run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
