import Foundation

/// The `search` tool an environment offers a model: arguments `{"query": str, "k": int}`,
/// output a compact, numbered list of passages with a total length cap.
///
/// EnvironmentKit wraps this in its `Tool` protocol; the logic (argument checking, rendering)
/// lives here so it is tested with the index.
public struct SearchTool: Sendable {
    /// How results are shown to a model.
    public struct Config: Sendable, Equatable {
        /// Results when the model gives no `k`. Search-R1 (Jin et al. 2025, §4.1) retrieves 3.
        public var defaultK: Int
        /// The most results a model may ask for.
        public var maxK: Int
        /// Cap on the whole output in characters (~4 characters per token: 2,400 ≈ 600 tokens,
        /// three 100-word passages with their titles).
        public var maxCharacters: Int

        public init(defaultK: Int = 3, maxK: Int = 10, maxCharacters: Int = 2_400) {
            self.defaultK = defaultK
            self.maxK = maxK
            self.maxCharacters = maxCharacters
        }
    }

    /// What the tool returns: text for the model, and whether the call itself was wrong.
    public struct Output: Sendable, Equatable {
        public var text: String
        /// True when the arguments were invalid (the text says why, for the model to retry).
        public var isError: Bool
        /// Passage ids shown, best first.
        public var ids: [String]
    }

    public static let name = "search"
    public static let description = "Search a local encyclopedia (CIA World Factbook, Wikipedia summaries) and return the best-matching passages."
    /// JSON Schema of the arguments.
    public static let argumentsSchema = """
        {"type":"object","properties":{"query":{"type":"string","description":"What to search for."},\
        "k":{"type":"integer","minimum":1,"description":"How many passages to return."}},"required":["query"]}
        """

    public let index: SearchIndex
    public let config: Config

    public init(index: SearchIndex, config: Config = Config()) {
        self.index = index
        self.config = config
    }

    /// Runs a call whose arguments are a JSON object text.
    public func call(argumentsJSON: String) throws -> Output {
        guard let object = try? JSONSerialization.jsonObject(with: Data(argumentsJSON.utf8)) as? [String: Any] else {
            return Output(text: "search error: arguments must be a JSON object like {\"query\": \"capital of Peru\", \"k\": 3}.", isError: true, ids: [])
        }
        return try call(arguments: object)
    }

    /// Runs a call with decoded arguments. Throws only if the index file fails.
    public func call(arguments: [String: Any]) throws -> Output {
        guard let query = arguments["query"] as? String, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return Output(text: "search error: \"query\" must be a non-empty string.", isError: true, ids: [])
        }
        var k = config.defaultK
        if let value = arguments["k"] {
            // Models often quote numbers ("k": "3"); that is accepted, 2.5 or -1 are not.
            let number = (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard let number, number == number.rounded(), number >= 1, number < 1e9 else {
                return Output(text: "search error: \"k\" must be a positive integer (at most \(config.maxK)).", isError: true, ids: [])
            }
            k = min(Int(number), config.maxK)
        }
        // The tool shows whole passages, so it needs no snippets.
        let results = try index.search(query, k: k, snippets: false)
        let texts = try index.passageTexts(ids: results.map(\.id))
        return Output(text: render(results, texts: texts), isError: false, ids: results.map(\.id))
    }

    /// `1. Title [id]` and the passage text per result, the text cut so the whole stays under
    /// `maxCharacters`; results that would not fit at all are counted at the end instead.
    func render(_ results: [SearchResult], texts: [String: String]) -> String {
        guard !results.isEmpty else { return "No results. Try other words." }
        var lines: [String] = []
        var used = 0
        for (rank, result) in results.enumerated() {
            let header = "\(rank + 1). \(result.title) [\(result.id)]"
            let remainingResults = results.count - rank
            let budget = (config.maxCharacters - used) / remainingResults - header.count - 2
            if budget < 40 {
                lines.append("(\(remainingResults) more result(s) not shown: output limit)")
                break
            }
            let body = Self.cut(SearchIndex.oneLine(texts[result.id] ?? result.snippet), to: budget)
            let entry = header + "\n" + body
            lines.append(entry)
            used += entry.count + 1
        }
        return lines.joined(separator: "\n")
    }

    /// `text` cut at a word boundary to at most `limit` characters, with `…` when cut.
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        let prefix = text.prefix(max(0, limit - 1))
        let boundary = prefix.lastIndex(of: " ") ?? prefix.endIndex
        return String(prefix[..<boundary]) + "…"
    }
}
