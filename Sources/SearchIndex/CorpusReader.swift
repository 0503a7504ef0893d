import Foundation

/// Something that yields the documents of one corpus and says where they came from.
public protocol CorpusReader: Sendable {
    var source: CorpusSource { get }
    func documents() throws -> [SourceDocument]
}

/// Reads JSON Lines: one object per line with string fields `id`, `title`, `text`; other fields
/// are ignored. Blank lines are skipped.
public struct JSONLCorpus: CorpusReader {
    public let url: URL
    public let source: CorpusSource

    public init(url: URL, licence: String = "unknown (set by the corpus owner)") {
        self.url = url
        self.source = CorpusSource(name: url.lastPathComponent, version: "", licence: licence, attribution: url.path)
    }

    public func documents() throws -> [SourceDocument] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SearchIndexError.badInput(path: url.path, line: nil, reason: "cannot read the file (\(error.localizedDescription))")
        }
        var documents: [SourceDocument] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(line)) } catch {
                throw SearchIndexError.badInput(path: url.path, line: lineNumber, reason: "not a JSON object (\(error.localizedDescription))")
            }
            guard let fields = object as? [String: Any] else {
                throw SearchIndexError.badInput(path: url.path, line: lineNumber, reason: "expected a JSON object with \"id\", \"title\", \"text\"")
            }
            func field(_ name: String) throws -> String {
                if let value = fields[name] as? String { return value }
                if name == "id", let number = fields[name] as? NSNumber { return number.stringValue }
                throw SearchIndexError.badInput(path: url.path, line: lineNumber, reason: "missing string field \"\(name)\"")
            }
            documents.append(SourceDocument(id: try field("id"), title: try field("title"), text: try field("text")))
        }
        return documents
    }
}

/// Reads every `.txt`, `.md` and `.markdown` file under a folder (recursively, in path order).
/// The id is the path relative to the folder; the title is the first Markdown `#` heading, or
/// else the file name without extension.
public struct DirectoryCorpus: CorpusReader {
    public let url: URL
    public let source: CorpusSource
    static let extensions: Set<String> = ["txt", "md", "markdown"]

    public init(url: URL, licence: String = "unknown (set by the corpus owner)") {
        self.url = url.standardizedFileURL
        self.source = CorpusSource(name: url.lastPathComponent, version: "", licence: licence, attribution: url.path)
    }

    public func documents() throws -> [SourceDocument] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SearchIndexError.badInput(path: url.path, line: nil, reason: "no such folder; --dir needs a folder of .txt/.md files")
        }
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw SearchIndexError.badInput(path: url.path, line: nil, reason: "cannot list the folder")
        }
        let root = url.path.hasSuffix("/") ? url.path : url.path + "/"
        var files: [URL] = []
        for case let file as URL in enumerator where Self.extensions.contains(file.pathExtension.lowercased()) {
            files.append(file.standardizedFileURL)
        }
        files.sort { $0.path < $1.path }
        return try files.map { file in
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw SearchIndexError.badInput(path: file.path, line: nil, reason: "not readable as UTF-8 text")
            }
            let id = file.path.hasPrefix(root) ? String(file.path.dropFirst(root.count)) : file.lastPathComponent
            return SourceDocument(id: id, title: Self.title(of: text) ?? file.deletingPathExtension().lastPathComponent, text: text)
        }
    }

    static func title(of text: String) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(20) where line.hasPrefix("#") {
            let title = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
            if !title.isEmpty { return title }
        }
        return nil
    }
}
