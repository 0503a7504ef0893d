import Foundation

/// The rows of a run's `metrics.csv` (the run-folder contract in docs/ARCHITECTURE.md): one row per
/// logged update, `episodes` as the x-axis, `phase` as text, every other column a number.
///
/// An empty cell means "not recorded on this row" and reads as `nil`; so does a cell that is not a
/// number (a column this reader does not know may hold anything). Unknown columns are kept and
/// can be read, but nothing requires them.
public struct MetricsTable: Sendable, Equatable {
    /// The column holding cumulative environment episodes; always present.
    public static let episodesColumn = "episodes"
    /// The update index.
    public static let stepColumn = "step"
    /// The only text column: `bc`, `warmup`, `rl` or `eval`.
    public static let phaseColumn = "phase"

    /// Column names in file order.
    public let columns: [String]
    /// Number of data rows.
    public let rowCount: Int
    /// The `phase` cell of each row (`nil` when empty or when the file has no phase column).
    public let phases: [String?]
    private let numbers: [String: [Double?]]

    /// Parses the text of a metrics file; `source` names it in errors.
    public init(csv text: String, source: String) throws {
        let table = CSVTable(parsing: text)
        guard !table.header.isEmpty else {
            throw RunReportError.malformedMetrics(path: source, reason: "the file is empty (expected a header line starting with `episodes`)")
        }
        guard table.header.contains(Self.episodesColumn) else {
            throw RunReportError.malformedMetrics(
                path: source,
                reason: "no `episodes` column in the header (\(table.header.joined(separator: ","))); the x-axis of every chart needs it")
        }
        columns = table.header
        rowCount = table.rows.count
        var numbers: [String: [Double?]] = [:]
        var phases: [String?] = Array(repeating: nil, count: table.rows.count)
        for (index, name) in table.header.enumerated() where numbers[name] == nil {
            let cells = table.rows.map { $0[index].trimmingCharacters(in: .whitespaces) }
            if name == Self.phaseColumn {
                phases = cells.map { $0.isEmpty ? nil : $0 }
            } else {
                numbers[name] = cells.map { Double($0) }
            }
        }
        self.numbers = numbers
        self.phases = phases
    }

    /// Reads `metrics.csv` from disk.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw RunReportError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(csv: text, source: url.path)
    }

    /// The numeric cells of `column`, one per row; all `nil` when the column is absent.
    public func values(_ column: String) -> [Double?] {
        numbers[column] ?? Array(repeating: nil, count: rowCount)
    }

    /// Whether `column` holds at least one finite number.
    public func hasValues(_ column: String) -> Bool {
        numbers[column]?.contains { $0?.isFinite == true } ?? false
    }

    /// The last finite value of `column`, if any.
    public func lastValue(_ column: String) -> Double? {
        numbers[column]?.last { $0?.isFinite == true } ?? nil
    }
}
