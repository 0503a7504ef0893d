/// How documents are cut into passages.
public struct PassageConfig: Sendable, Equatable, Codable {
    /// Words per passage. 100 words is the passage size of Dense Passage Retrieval
    /// (Karpukhin et al. 2020, §4.1), which Search-R1 and most search-agent work retrieve over.
    public var words: Int
    /// Words shared by consecutive passages, so a fact that straddles a cut is whole in one of
    /// them. 20 % of the passage, a common choice for sliding-window chunking.
    public var overlapWords: Int

    public init(words: Int = 100, overlapWords: Int = 20) {
        self.words = words
        self.overlapWords = overlapWords
    }

    func validate() throws {
        guard words >= 1 else { throw SearchIndexError.invalidConfiguration(field: "passage words", reason: "must be at least 1 (got \(words))") }
        guard overlapWords >= 0, overlapWords < words else {
            throw SearchIndexError.invalidConfiguration(field: "passage overlap", reason: "must be in 0..<\(words) (got \(overlapWords))")
        }
    }
}

/// Splits documents into overlapping windows of whitespace-separated words.
public struct PassageSplitter: Sendable {
    public let config: PassageConfig

    public init(config: PassageConfig) throws {
        try config.validate()
        self.config = config
    }

    /// The passages of `document`, in order, with ids `<document id>#0`, `#1`, ….
    ///
    /// Plain text: a document of at most `words` words is one passage; otherwise windows start
    /// every `words - overlapWords` words and the last window ends at the last word (no tiny
    /// tail passage). Structured documents (with `fields`): each field is its own passage (or
    /// windows, if longer than `words`), headed `<document title>: <field name>`. Every passage
    /// carries the document's entity.
    public func split(_ document: SourceDocument) -> [Passage] {
        let parts: [(heading: String, text: String)] = document.fields.isEmpty
            ? windows(document.text).map { (document.title, $0) }
            : document.fields.flatMap { field in
                let heading = field.name.isEmpty ? document.title : "\(document.title): \(field.name)"
                return windows(field.text).map { (heading, $0) }
            }
        return parts.enumerated().map { index, part in
            Passage(id: "\(document.id)#\(index)", documentID: document.id, entity: document.entity, heading: part.heading, text: part.text)
        }
    }

    /// Overlapping windows of `text`'s words (one window if it is short enough).
    func windows(_ text: String) -> [String] {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        guard words.count > config.words else { return [words.joined(separator: " ")] }
        let stride = config.words - config.overlapWords
        var windows: [String] = []
        var start = 0
        while true {
            let end = min(start + config.words, words.count)
            windows.append(words[start..<end].joined(separator: " "))
            if end == words.count { break }
            // A window starting at `start + stride` would run past the end: start it earlier so
            // the final passage is full length rather than a short tail (it overlaps more).
            start = min(start + stride, words.count - config.words)
        }
        return windows
    }
}
