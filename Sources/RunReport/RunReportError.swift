import Foundation

/// What can go wrong while reading run folders or writing a report; every case says where and what to do.
public enum RunReportError: Error, CustomStringConvertible, Equatable {
    /// The path given as a run does not exist or is not a folder.
    case notARunFolder(path: String)
    /// The run folder has no `metrics.csv`.
    case missingMetrics(path: String)
    /// `metrics.csv` exists but cannot be used (empty, or no `episodes` column).
    case malformedMetrics(path: String, reason: String)
    /// `summary.json` exists but is not a JSON object.
    case malformedSummary(path: String, reason: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notARunFolder(let path):
            return "\(path) is not a folder; pass run folders written by `turnrl train --out runs/NAME`."
        case .missingMetrics(let path):
            return "\(path) has no metrics.csv; is it a run folder written by `turnrl train`? (A run writes metrics.csv after its first logged update.)"
        case .malformedMetrics(let path, let reason):
            return "\(path): \(reason)"
        case .malformedSummary(let path, let reason):
            return "\(path): \(reason); delete it or rerun `turnrl train` to rewrite it."
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
