/// Which charts a report shows, and the curves in each: one chart per metric that any run
/// recorded, one curve per run (in that run's colour) and a dashed one more for its `eval` rows.
///
/// Charts in order: success rate (greedy, then sampled), mean return, every `…Loss` column (first
/// seen first), the critic's mean Q and V, context length, turns, tool calls, the probability of
/// the right first action, entropy, KL to the reference, mean advantage and throughput. Columns
/// outside this list are not charted.
public enum ReportCharts {
    /// What a known metric column is called on the page.
    struct Metric {
        var column: String
        var title: String
        var axisLabel: String
        var yRange: ClosedRange<Double>? = nil
    }

    static let leading = [
        Metric(column: "successRate", title: "Success rate", axisLabel: "success rate", yRange: 0...1),
        Metric(column: "sampledSuccessRate", title: "Success rate, sampled (temperature 1)", axisLabel: "success rate", yRange: 0...1),
        Metric(column: "meanReturn", title: "Mean return", axisLabel: "return per episode"),
    ]
    static let trailing = [
        Metric(column: "meanQ", title: "Critic Q (mean)", axisLabel: "Q"),
        Metric(column: "meanV", title: "Critic V (mean)", axisLabel: "V"),
        Metric(column: "contextTokens", title: "Context length", axisLabel: "tokens in context (mean)"),
        Metric(column: "meanTurns", title: "Turns per episode", axisLabel: "turns (mean)"),
        Metric(column: "toolCalls", title: "Tool calls per episode", axisLabel: "tool calls (mean)"),
        Metric(column: "firstActionProbability", title: "Probability of the right first action", axisLabel: "probability", yRange: 0...1),
        Metric(column: "entropy", title: "Policy entropy", axisLabel: "entropy"),
        Metric(column: "klToReference", title: "KL to the reference policy", axisLabel: "KL"),
        Metric(column: "advantageMean", title: "Mean advantage", axisLabel: "advantage"),
        Metric(column: "tokensPerSecond", title: "Throughput", axisLabel: "tokens / s"),
    ]

    /// The charts for `runs`, overlaying the runs; a run's colour is `Palette.color(index)`.
    /// `smoothing` in [0, 1) is the weight of TensorBoard's debiased exponential moving average,
    /// applied to training curves (evaluation curves have few points and stay raw); 0 = off.
    public static func charts(for runs: [RunData], smoothing: Double = 0) -> [LineChart] {
        metrics(for: runs).compactMap { metric in
            guard var chart = chart(metric, runs: runs) else { return nil }
            if smoothing > 0 {
                for index in chart.series.indices where !chart.series[index].dashed {
                    chart.series[index].raw = chart.series[index].points
                    chart.series[index].points = smoothed(chart.series[index].points, weight: smoothing)
                }
            }
            return chart
        }
    }

    /// TensorBoard's smoothing: an exponential moving average divided by 1 − weight^n, so the
    /// first points are not pulled towards 0.
    static func smoothed(_ points: [LineChart.Point], weight: Double) -> [LineChart.Point] {
        var average = 0.0, correction = 1.0
        return points.map { point in
            average = average * weight + (1 - weight) * point.y
            correction *= weight
            return LineChart.Point(x: point.x, y: average / (1 - correction))
        }
    }

    /// The known metrics at least one run recorded, in page order.
    static func metrics(for runs: [RunData]) -> [Metric] {
        var losses: [String] = []
        for run in runs {
            for column in run.metrics.columns where column.hasSuffix("Loss") && !losses.contains(column) {
                losses.append(column)
            }
        }
        let lossMetrics = losses.map { Metric(column: $0, title: humanName($0), axisLabel: "loss") }
        return (leading + lossMetrics + trailing).filter { metric in runs.contains { $0.metrics.hasValues(metric.column) } }
    }

    private static func chart(_ metric: Metric, runs: [RunData]) -> LineChart? {
        // The x-axis is environment episodes. A chart whose points all sit at one episode count
        // (behaviour cloning on demonstrations runs no episodes) is drawn against the update step.
        var xColumn = MetricsTable.episodesColumn
        var series = runs.enumerated().flatMap { curves(metric.column, x: xColumn, run: $1, color: Palette.color($0)) }
        let xs = Set(series.flatMap { $0.points.map(\.x) })
        if xs.count == 1, series.contains(where: { $0.points.count > 1 }) {
            let bySteps = runs.enumerated().flatMap { curves(metric.column, x: MetricsTable.stepColumn, run: $1, color: Palette.color($0)) }
            if Set(bySteps.flatMap { $0.points.map(\.x) }).count > 1 {
                xColumn = MetricsTable.stepColumn
                series = bySteps
            }
        }
        guard !series.isEmpty else { return nil }
        let xLabel = xColumn == MetricsTable.stepColumn ? "update step" : "environment episodes"
        return LineChart(
            id: metric.column, title: metric.title, xLabel: xLabel, yLabel: metric.axisLabel, series: series,
            yRange: metric.yRange, markers: phaseMarkers(runs, x: xColumn, xLabel: xLabel))
    }

    /// Where each run's training phase changes (`bc` → `warmup` → `rl`; `eval` rows interleave
    /// and are not a change), one marker per position and phase, naming the runs it belongs to.
    static func phaseMarkers(_ runs: [RunData], x xColumn: String, xLabel: String) -> [LineChart.Marker] {
        var owners: [(x: Double, phase: String, runs: [String])] = []
        for run in runs {
            let xs = run.metrics.values(xColumn)
            var current: String? = nil
            for row in 0..<run.metrics.rowCount {
                guard let phase = run.metrics.phases[row], phase != "eval" else { continue }
                defer { current = phase }
                guard let previous = current, previous != phase, let x = xs[row] else { continue }
                if let index = owners.firstIndex(where: { $0.x == x && $0.phase == phase }) {
                    owners[index].runs.append(run.name)
                } else {
                    owners.append((x, phase, [run.name]))
                }
            }
        }
        return owners.map { owner in
            LineChart.Marker(x: owner.x, label: owner.phase, detail: "\(owner.phase) starts at \(xLabel) \(NumberText.value(owner.x)) (\(owner.runs.joined(separator: ", ")))")
        }
    }

    /// A run's curves for one column: training rows, then `eval` rows (dashed), each only when it has points.
    private static func curves(_ column: String, x xColumn: String, run: RunData, color: String) -> [LineChart.Series] {
        let xs = run.metrics.values(xColumn), ys = run.metrics.values(column)
        var training: [LineChart.Point] = [], evaluation: [LineChart.Point] = []
        for row in 0..<run.metrics.rowCount {
            guard let x = xs[row], let y = ys[row], x.isFinite, y.isFinite else { continue }
            if run.metrics.phases[row] == "eval" {
                evaluation.append(LineChart.Point(x: x, y: y))
            } else {
                training.append(LineChart.Point(x: x, y: y))
            }
        }
        var result: [LineChart.Series] = []
        if !training.isEmpty { result.append(LineChart.Series(label: run.name, color: color, points: training)) }
        if !evaluation.isEmpty { result.append(LineChart.Series(label: "\(run.name) (eval)", color: color, dashed: true, points: evaluation)) }
        return result
    }

    /// `criticLoss` → "Critic loss", `bcLoss` → "BC loss".
    static func humanName(_ column: String) -> String {
        var words: [String] = []
        for character in column {
            if character.isUppercase || words.isEmpty { words.append("") }
            words[words.count - 1].append(character)
        }
        let acronyms: Set<String> = ["bc", "kl", "td", "ppo", "grpo", "bce", "mse"]
        return words.enumerated().map { index, word in
            let lower = word.lowercased()
            if acronyms.contains(lower) { return lower.uppercased() }
            return index == 0 ? lower.prefix(1).uppercased() + lower.dropFirst() : lower
        }.joined(separator: " ")
    }
}
