import Foundation

/// One training run as the report sees it: the files of a run folder written by `turnrl train`
/// (`metrics.csv`, `config.yaml`, `summary.json`; see docs/ARCHITECTURE.md, "Run folders").
public struct RunData: Sendable, Equatable {
    /// The name shown on the page (the folder's name, made unique among the runs of one report).
    public var name: String
    /// The run folder.
    public var folder: URL
    public var metrics: MetricsTable
    /// The resolved hyperparameters, flattened to dotted keys in file order; empty without `config.yaml`.
    public var config: [KeyValue]
    /// The final figures from `summary.json`; `nil` when the run has not written one (still running, or killed).
    public var summary: [KeyValue]?

    public init(name: String, folder: URL, metrics: MetricsTable, config: [KeyValue], summary: [KeyValue]?) {
        self.name = name
        self.folder = folder
        self.metrics = metrics
        self.config = config
        self.summary = summary
    }

    /// Reads a run folder. `metrics.csv` is required; `config.yaml` and `summary.json` are optional.
    public init(folder: URL, name: String? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunReportError.notARunFolder(path: folder.path)
        }
        let metricsURL = folder.appendingPathComponent("metrics.csv")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            throw RunReportError.missingMetrics(path: folder.path)
        }
        let metrics = try MetricsTable(contentsOf: metricsURL)

        let configURL = folder.appendingPathComponent("config.yaml")
        let config = try Self.readIfPresent(configURL).map { ConfigFlattener.flatten(String(decoding: $0, as: UTF8.self)) } ?? []

        let summaryURL = folder.appendingPathComponent("summary.json")
        let summary = try Self.readIfPresent(summaryURL).map { try SummaryFlattener.flatten($0, source: summaryURL.path) }

        self.init(name: name ?? folder.standardizedFileURL.lastPathComponent, folder: folder, metrics: metrics, config: config, summary: summary)
    }

    /// Reads several run folders in order. Runs whose folders share a name (`a/final`, `b/final`)
    /// are named by the shortest path suffix that tells them apart.
    public static func load(folders: [URL]) throws -> [RunData] {
        let names = uniqueNames(folders.map { $0.standardizedFileURL.pathComponents.filter { $0 != "/" } })
        return try zip(folders, names).map { try RunData(folder: $0, name: $1) }
    }

    /// For each path (as components), the shortest trailing part that no other path shares.
    static func uniqueNames(_ paths: [[String]]) -> [String] {
        paths.enumerated().map { index, components in
            var length = 1
            while length < components.count {
                let suffix = components.suffix(length)
                let clash = paths.enumerated().contains { $0.offset != index && $0.element.suffix(length) == suffix }
                if !clash { break }
                length += 1
            }
            return components.suffix(length).joined(separator: "/")
        }
    }

    private static func readIfPresent(_ url: URL) throws -> Data? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw RunReportError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
