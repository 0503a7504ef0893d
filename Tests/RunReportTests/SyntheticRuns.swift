import Foundation

/// Run folders in the format `turnrl train` writes (docs/ARCHITECTURE.md, "Run folders"), made up
/// by the tests so they do not depend on training.
enum SyntheticRuns {
    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runreport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A run that behaviour-clones for `bcSteps` updates (no episodes), then trains with RL for
    /// `rlSteps` updates of 8 episodes each, evaluating every 10 updates. Columns: the contract's,
    /// plus `bcLoss`, `criticLoss`, `actorLoss` and an unknown text column `note`.
    /// `offset` shifts the curves so several runs differ.
    @discardableResult
    static func write(
        in parent: URL, name: String, bcSteps: Int = 20, rlSteps: Int = 40, offset: Double = 0,
        summary: Bool = true, config: Bool = true
    ) throws -> URL {
        let folder = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var lines = ["episodes,step,phase,successRate,meanReturn,meanTurns,toolCalls,contextTokens,tokensPerSecond,bcLoss,criticLoss,actorLoss,note"]
        for step in 0..<bcSteps {
            let loss = 2.0 * exp(-Double(step) / 8) + offset
            lines.append("0,\(step),bc,,,,,,15000,\(loss),,,")
        }
        var episodes = 0
        for i in 0..<rlSteps {
            let step = bcSteps + i
            episodes += 8
            let success = min(1, 0.2 + 0.6 * Double(i) / Double(rlSteps) + offset / 10)
            lines.append("\(episodes),\(step),rl,\(success),\(success * 2 - 0.5),3.5,1.2,\(300 + 4 * i),16000,,\(1 / Double(i + 1)),\(-0.05 + offset),ok")
            if i % 10 == 9 {
                lines.append("\(episodes),\(step),eval,\(min(1, success + 0.05)),\(success * 2),,,,,,,,")
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        if config {
            let yaml = """
                env: arith-python
                algo: archer
                seed: \(Int(offset * 10))
                archer:
                  gamma: 0.95
                  tau: 0.1  # soft target update
                """
            try yaml.write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        }
        if summary {
            let json = """
                {"run": "\(name)", "episodes": \(episodes), "final": {"successRate": 0.8, "meanReturn": 1.1},
                 "checkpoint": "runs/\(name)/checkpoints/final", "before": {"successRate": 0.2}, "after": {"successRate": 0.8}}
                """
            try json.write(to: folder.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        }
        return folder
    }
}

extension String {
    /// How often `needle` occurs (non-overlapping).
    func occurrences(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
    }

    /// The `<svg …>…</svg>` element of the chart with `data-metric="metric"`, if any.
    func chartSVG(_ metric: String) -> String? {
        guard let start = range(of: "data-metric=\"\(metric)\"") else { return nil }
        guard let end = range(of: "</svg>", range: start.upperBound..<endIndex) else { return nil }
        return String(self[start.lowerBound..<end.upperBound])
    }

    /// The `data-metric` values of every chart, in page order.
    var chartMetrics: [String] {
        components(separatedBy: "data-metric=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
    }
}
