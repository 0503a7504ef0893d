/// A document as read from a corpus, before it is split into passages.
public struct SourceDocument: Sendable, Equatable {
    /// Unique within the index, e.g. `wiki/Albert Einstein` or `factbook/ag/Government`.
    public var id: String
    public var title: String
    public var text: String
    /// Named parts of a structured document (the fields of a Factbook country section). When
    /// present, each field becomes its own passage(s), titled with the field's name.
    public var fields: [Field]

    /// One named part of a structured document.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    public init(id: String, title: String, text: String) {
        self.id = id
        self.title = title
        self.text = text
        self.fields = []
    }

    /// A structured document; its text is its fields, one per line.
    public init(id: String, title: String, fields: [Field]) {
        self.id = id
        self.title = title
        self.text = fields.map(\.text).joined(separator: "\n")
        self.fields = fields
    }
}

/// One unit of retrieval: what a search returns.
public struct Passage: Sendable, Equatable {
    /// `<document id>#<index of the passage within the document>`.
    public var id: String
    public var documentID: String
    public var title: String
    public var text: String

    public init(id: String, documentID: String, title: String, text: String) {
        self.id = id
        self.documentID = documentID
        self.title = title
        self.text = text
    }
}

/// Where a corpus came from, for `turnrl index info` and licence credits.
public struct CorpusSource: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    public var licence: String
    public var attribution: String

    public init(name: String, version: String, licence: String, attribution: String) {
        self.name = name
        self.version = version
        self.licence = licence
        self.attribution = attribution
    }
}
