import Foundation
import Testing

@testable import RunReport

private func run(_ name: String, _ csv: String) throws -> RunData {
    RunData(name: name, folder: URL(fileURLWithPath: "/runs/\(name)"), metrics: try MetricsTable(csv: csv, source: name), config: [], summary: nil)
}

@Test func niceTicksCoverTheDataInStepsOfOneTwoOrFive() {
    let axis = AxisScale(covering: 0.13, 0.87, targetTicks: 5)
    #expect(axis.step == 0.2)
    #expect(axis.lower == 0)
    #expect(abs(axis.upper - 1.0) < 1e-12)
    #expect(axis.ticks.count == 6)
    let tight = AxisScale(covering: 0, 3200, targetTicks: 6, tight: true)
    #expect(tight.upper == 3200)
    #expect(tight.ticks == [0, 1000, 2000, 3000])
    // A constant curve still gets a readable axis around its value.
    let flat = AxisScale(covering: 5, 5)
    #expect(flat.lower < 5 && flat.upper > 5)
    #expect(NumberText.tick(12000, step: 2000) == "12k")
    #expect(NumberText.tick(0.25, step: 0.05) == "0.25")
    #expect(NumberText.tick(-0.0, step: 1) == "0")
}

@Test func oneChartPerMetricGroupAndOneCurvePerRunAndPhase() throws {
    let root = try SyntheticRuns.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let folder = try SyntheticRuns.write(in: root, name: "solo")
    let page = ReportPage(runs: [try RunData(folder: folder)])
    // Known metrics in page order; the unknown `note` column is not charted.
    #expect(page.charts.map(\.id) == [
        "successRate", "meanReturn", "bcLoss", "criticLoss", "actorLoss", "contextTokens", "meanTurns", "toolCalls",
        "tokensPerSecond",
    ])
    let html = page.html()
    #expect(html.chartMetrics == page.charts.map(\.id))
    // Success and return have a training curve and a dashed evaluation curve; the rest one curve.
    let expected = ["successRate": 2, "meanReturn": 2, "bcLoss": 1, "criticLoss": 1, "actorLoss": 1, "contextTokens": 1]
    for (metric, curves) in expected {
        let svg = try #require(html.chartSVG(metric))
        #expect(svg.occurrences(of: "<path") == curves, "\(metric)")
        #expect(svg.occurrences(of: "class=\"curve\"") == curves, "\(metric)")
    }
    #expect(try #require(html.chartSVG("successRate")).occurrences(of: "stroke-dasharray=\"6 4\"") == 2)  // the eval curve and its legend sample
    // Behaviour cloning runs no episodes, so its loss is drawn against the update step.
    let bc = try #require(page.charts.first { $0.id == "bcLoss" })
    #expect(bc.xLabel == "update step")
    #expect(bc.series[0].points.map(\.x) == (0..<20).map(Double.init))
    #expect(page.charts.first { $0.id == "criticLoss" }?.xLabel == "environment episodes")
}

@Test func severalRunsAreOverlaidInDistinctColoursWithALegend() throws {
    let root = try SyntheticRuns.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let folders = try (0..<3).map { try SyntheticRuns.write(in: root, name: "seed-\($0)", offset: Double($0) * 0.1) }
    let page = ReportPage(runs: try RunData.load(folders: folders))
    let html = page.html()

    let critic = try #require(html.chartSVG("criticLoss"))
    #expect(critic.occurrences(of: "<path") == 3)
    for index in 0..<3 {
        #expect(critic.contains("data-series=\"seed-\(index)\" stroke=\"\(Palette.color(index))\""))
        #expect(critic.contains(">seed-\(index)</text>"), "legend entry for seed-\(index)")
    }
    #expect(Set(page.charts.flatMap { $0.series.map(\.color) }) == Set((0..<3).map(Palette.color)))
    let success = try #require(html.chartSVG("successRate"))
    #expect(success.occurrences(of: "<path") == 6)
    #expect(success.contains(">seed-2 (eval)</text>"))
    // Hover tooltips: every curve and point carries an SVG <title>.
    #expect(success.contains("<title>seed-0\nenvironment episodes: 8\nSuccess rate: 0.2</title>"))

    // Config side by side with the differing seed highlighted; final figures from summary.json.
    let config = try #require(html.components(separatedBy: "<section id=\"config\">").last)
    #expect(config.contains("<tr class=\"differs\"><td><code>seed</code></td>"))
    #expect(config.contains("<tr><td><code>archer.gamma</code></td>"))
    #expect(html.contains("<td><code>final.successRate</code></td><td><span class=\"value\">0.8</span></td>"))
}

@Test func runNamesAndValuesAreEscapedInHTMLAndSVG() throws {
    let name = "<script>alert('x')</script>&\"run\""
    let csv = "episodes,step,phase,successRate\n8,1,rl,0.5\n16,2,rl,0.75\n"
    var data = try run(name, csv)
    data.config = [KeyValue(key: "note", value: "<b>bold</b>")]
    let html = ReportPage(runs: [data]).html()
    #expect(!html.contains("<script"))
    #expect(!html.contains("<b>bold"))
    #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;run&quot;"))
    #expect(html.contains("&lt;b&gt;bold&lt;/b&gt;"))
    // The page is self-contained: no scripts, no external resources.
    #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("@import") && !html.contains("url("))
}

@Test func nonFiniteValuesAreLeftOutOfTheCurve() throws {
    let data = try run("r", "episodes,step,phase,criticLoss\n8,1,rl,1.0\n16,2,rl,nan\n24,3,rl,inf\n32,4,rl,0.5\n")
    let chart = try #require(ReportCharts.charts(for: [data]).first)
    #expect(chart.series[0].points == [LineChart.Point(x: 8, y: 1), LineChart.Point(x: 32, y: 0.5)])
    let svg = chart.svg()
    #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
    #expect(svg.occurrences(of: "<path") == 1)
}

@Test func lossColumnsFromEveryRunGetTheirOwnChart() throws {
    let a = try run("a", "episodes,step,phase,actorLoss,criticLoss\n8,1,rl,0.1,0.2\n16,2,rl,0.1,0.2\n")
    let b = try run("b", "episodes,step,phase,policyLoss,valueLoss\n8,1,rl,0.3,0.4\n16,2,rl,0.3,0.4\n")
    let charts = ReportCharts.charts(for: [a, b])
    #expect(charts.map(\.id) == ["actorLoss", "criticLoss", "policyLoss", "valueLoss"])
    #expect(charts.map(\.title) == ["Actor loss", "Critic loss", "Policy loss", "Value loss"])
    #expect(charts.map { $0.series.map(\.label) } == [["a"], ["a"], ["b"], ["b"]])
    // Each run keeps its colour in every chart, also where the other run has no curve.
    #expect(charts[2].series[0].color == Palette.color(1))
    #expect(ReportCharts.humanName("bcLoss") == "BC loss")
}

@Test func longCurvesAreDecimatedToThePixelColumnsKeepingSpikes() throws {
    // 20,000 updates of a noisy loss with one spike: the path keeps the spike and the ends but
    // holds a few points per pixel column, not 20,000.
    var points = (0..<20_000).map { LineChart.Point(x: Double($0), y: 1 + 0.1 * sin(Double($0))) }
    points[12_345].y = 9
    let chart = LineChart(id: "criticLoss", title: "Critic loss", xLabel: "step", yLabel: "loss", series: [LineChart.Series(label: "r", color: "#000", points: points)])
    let svg = chart.svg()
    let path = try #require(svg.components(separatedBy: " d=\"").dropFirst().first?.split(separator: "\"").first)
    let vertices = path.split(separator: " ")
    #expect(vertices.count <= 4 * 480 && vertices.count > 400, "\(vertices.count) vertices")
    let ys = vertices.compactMap { Double($0.split(separator: ",")[1]) }
    #expect(ys.min() == 56)  // the spike: 9 on a 0…10 axis, 220 px tall, whose top is at 34 px
    #expect(vertices.first == "M64,\(vertices.first!.split(separator: ",")[1])" && vertices.last?.hasPrefix("L540,") == true)
    // The tooltip still tells the real number of points.
    #expect(svg.contains("(last of 20000 points)"))
    // Short curves are drawn point by point.
    let short = (0..<50).map { LineChart.Point(x: Double($0), y: Double($0 % 3)) }
    #expect(LineChart.decimated(short, column: { Int($0.x) }) == short)
}

@Test func phaseChangesAreMarkedOncePerPositionAndNotCountedAsCurves() throws {
    let csv = "episodes,step,phase,successRate\n0,0,bc,\n0,1,bc,\n8,2,warmup,0.2\n16,3,eval,0.3\n24,4,rl,0.4\n32,5,rl,0.5\n"
    let a = try run("a", csv), b = try run("b", csv)
    let c = try run("c", "episodes,step,phase,successRate\n8,2,warmup,0.2\n40,4,rl,0.4\n48,5,rl,0.5\n")
    let markers = ReportCharts.phaseMarkers([a, b, c], x: "episodes", xLabel: "environment episodes")
    #expect(markers.map(\.x) == [8, 24, 40])
    #expect(markers.map(\.label) == ["warmup", "rl", "rl"])
    #expect(markers[1].detail == "rl starts at environment episodes 24 (a, b)")
    let chart = try #require(ReportCharts.charts(for: [a, b, c]).first)
    let svg = chart.svg()
    // The x-axis starts at 0, so warmup at episode 8 is inside it; markers are lines, not paths.
    #expect(svg.occurrences(of: "stroke-dasharray=\"2 3\"") == 3)
    #expect(svg.occurrences(of: "<path") == 5)  // a and b: training + eval; c: training
    #expect(svg.contains("<title>rl starts at environment episodes 24 (a, b)</title>"))
}

@Test func smoothingIsTensorBoardsDebiasedAverageAndKeepsTheRawValuesVisible() throws {
    let points = [0.0, 1, 1].enumerated().map { LineChart.Point(x: Double($0.offset), y: $0.element) }
    let smoothed = ReportCharts.smoothed(points, weight: 0.5).map(\.y)
    // By hand: averages 0, 0.5, 0.75 over corrections 1 − 0.5ⁿ = 0.5, 0.75, 0.875.
    #expect(zip(smoothed, [0, 2.0 / 3, 6.0 / 7]).allSatisfy { abs($0 - $1) < 1e-12 })

    let data = try run("r", "episodes,step,phase,successRate\n8,1,rl,0\n16,2,rl,1\n24,3,eval,1\n32,4,rl,1\n")
    let chart = try #require(ReportCharts.charts(for: [data], smoothing: 0.5).first)
    #expect(chart.series.map(\.raw.count) == [3, 0])  // the eval curve is not smoothed
    let svg = chart.svg()
    #expect(svg.occurrences(of: "<path") == 2)
    #expect(svg.occurrences(of: "<polyline class=\"raw\"") == 1)
    #expect(svg.contains("Success rate: 0.6667 (smoothed; raw 1)"))
    #expect(ReportCharts.charts(for: [data]).first?.series.allSatisfy { $0.raw.isEmpty } == true)
}
