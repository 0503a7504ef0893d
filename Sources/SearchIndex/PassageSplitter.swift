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
    /// tail passage). Structured documents (with `fields`): consecutive fields are packed whole
    /// into passages of at most `words` words; a field longer than that is windowed on its own.
    public func split(_ document: SourceDocument) -> [Passage] {
        guard !document.fields.isEmpty else {
            return windows(document.text).enumerated().map { index, text in
                Passage(id: "\(document.id)#\(index)", documentID: document.id, title: document.title, text: text)
            }
        }
        var passages: [Passage] = []
        var group: [SourceDocument.Field] = []
        var groupWords = 0
        func emit(_ fields: [SourceDocument.Field], _ texts: [String]) {
            let names = fields.map(\.name).filter { !$0.isEmpty }
            let title = names.isEmpty ? document.title : "\(document.title): \(names.joined(separator: ", "))"
            for text in texts {
                passages.append(Passage(id: "\(document.id)#\(passages.count)", documentID: document.id, title: title, text: text))
            }
        }
        func flush() {
            guard !group.isEmpty else { return }
            emit(group, [group.map(\.text).joined(separator: "\n")])
            group = []
            groupWords = 0
        }
        for field in document.fields {
            let count = field.text.split(whereSeparator: { $0.isWhitespace }).count
            if count > config.words {
                flush()
                emit([field], windows(field.text))
            } else {
                if groupWords + count > config.words { flush() }
                group.append(field)
                groupWords += count
            }
        }
        flush()
        return passages
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
