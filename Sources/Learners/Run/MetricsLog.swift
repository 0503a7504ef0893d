import Foundation
import Trajectories

/// One logged update: a row of `metrics.csv` and metrics in the run's SQLite.
public struct MetricsRow: Sendable, Equatable {
    /// Cumulative environment episodes (the x-axis).
    public var episodes: Int
    /// Update index.
    public var step: Int
    /// `bc`, `warmup`, `rl` or `eval`.
    public var phase: String
    /// Named values; names not in `MetricsLog.columns` are stored in SQLite only.
    public var values: [String: Double]

    public init(episodes: Int, step: Int, phase: String, values: [String: Double]) {
        self.episodes = episodes
        self.step = step
        self.phase = phase
        self.values = values
    }
}

/// Appends rows to `metrics.csv` (the run-folder contract: `episodes,step,phase,…`, `.`
/// decimals, empty cell = not recorded) and to the store's metrics table (`phase/name`).
public final class MetricsLog {
    /// The CSV columns after `episodes,step,phase`.
    public static let columns = [
        "successRate", "sampledSuccessRate", "meanReturn", "meanTurns", "toolCalls", "contextTokens", "tokensPerSecond",
        "bcLoss", "criticLoss", "actorLoss", "entropy", "advantageMean", "meanQ", "meanV", "firstActionProbability",
        "policyLoss", "valueLoss", "klToReference", "clipFraction", "sequenceTokens",
        // Wall time of an iteration's parts: playing its episodes, and ArCHer's critic steps
        // (fresh a′ included) and actor steps (token baseline warm-up included).
        "rolloutSeconds", "criticSeconds", "actorSeconds",
    ]
    /// The columns measured on the wall clock: they differ between two runs of the same seed.
    public static let wallClockColumns: Set<String> = ["tokensPerSecond", "rolloutSeconds", "criticSeconds", "actorSeconds"]
    let url: URL
    let store: TrajectoryStore
    let run: Int64

    /// Opens `metrics.csv` in `folder`, writing the header when the file is new (a resumed run appends).
    public init(folder: URL, store: TrajectoryStore, run: Int64) throws {
        url = folder.appendingPathComponent("metrics.csv")
        self.store = store
        self.run = run
        if !FileManager.default.fileExists(atPath: url.path) {
            try ((["episodes", "step", "phase"] + Self.columns).joined(separator: ",") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// The CSV line of a row.
    public static func line(_ row: MetricsRow) -> String {
        let cells = columns.map { name in row.values[name].map { format($0) } ?? "" }
        return (["\(row.episodes)", "\(row.step)", row.phase] + cells).joined(separator: ",")
    }

    static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : ""
    }

    public func append(_ row: MetricsRow) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((Self.line(row) + "\n").utf8))
        var records = [MetricRecord(step: Int64(row.episodes), name: "\(row.phase)/step", value: Double(row.step))]
        for (name, value) in row.values.sorted(by: { $0.key < $1.key }) where value.isFinite {
            records.append(MetricRecord(step: Int64(row.episodes), name: "\(row.phase)/\(name)", value: value))
        }
        try store.recordMetrics(records, run: run)
    }
}
