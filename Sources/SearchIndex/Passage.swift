/// A document as read from a corpus, before it is split into passages.
public struct SourceDocument: Sendable, Equatable {
    /// Unique within the index, e.g. `wiki/Albert Einstein` or `factbook/ag/Government`.
    public var id: String
    /// What the whole document is a part of, when its title names only that part: the country
    /// of a Factbook section (`Algeria` for the section titled `Government`). Empty for plain
    /// documents. Indexed in its own column (see `RankingConfig.entityWeight`).
    public var entity: String
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
        self.entity = ""
        self.title = title
        self.text = text
        self.fields = []
    }

    /// A structured document about a part of `entity`; its text is its fields, one per line.
    public init(id: String, entity: String, title: String, fields: [Field]) {
        self.id = id
        self.entity = entity
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
    /// The document's `entity` (a Factbook country), or empty.
    public var entity: String
    /// The passage's own title: the document title, plus the field name for a field passage
    /// (`Government: Capital`). What tells a passage apart from its siblings, so it carries the
    /// title boost (`RankingConfig.headingWeight`).
    public var heading: String
    public var text: String

    /// The title shown in results: `<entity> — <heading>` (`Algeria — Government: Capital`),
    /// or the heading alone when there is no entity.
    public var title: String { Self.title(entity: entity, heading: heading) }

    public init(id: String, documentID: String, entity: String = "", heading: String, text: String) {
        self.id = id
        self.documentID = documentID
        self.entity = entity
        self.heading = heading
        self.text = text
    }

    static func title(entity: String, heading: String) -> String {
        entity.isEmpty ? heading : "\(entity) — \(heading)"
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
