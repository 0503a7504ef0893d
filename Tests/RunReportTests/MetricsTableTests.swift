import Foundation
import Testing

@testable import RunReport

@Test func emptyCellsAreNotRecordedAndUnknownColumnsAreKept() throws {
    let csv = #"""
        episodes,step,phase,successRate,criticLoss,mystery,note
        0,0,bc,,2.5,1e-3,hello
        8,1,rl,0.25,,,"a, quoted ""cell"""
        16,2,eval,0.5,1.5,nan,
        """#
    let table = try MetricsTable(csv: csv, source: "metrics.csv")
    #expect(table.columns == ["episodes", "step", "phase", "successRate", "criticLoss", "mystery", "note"])
    #expect(table.rowCount == 3)
    #expect(table.values("episodes") == [0, 8, 16])
    #expect(table.values("successRate") == [nil, 0.25, 0.5])
    #expect(table.values("criticLoss") == [2.5, nil, 1.5])
    #expect(table.phases == ["bc", "rl", "eval"])
    // A text column reads as "not a number" everywhere; a column that is not there reads as empty.
    #expect(table.values("note") == [nil, nil, nil])
    #expect(!table.hasValues("note"))
    #expect(table.values("meanReturn") == [nil, nil, nil])
    #expect(table.lastValue("criticLoss") == 1.5)
    // NaN is kept as read but is not a value a chart can draw.
    #expect(table.values("mystery")[2]?.isNaN == true)
    #expect(table.lastValue("mystery") == 0.001)
}

@Test func csvQuotingLineEndsAndShortRows() {
    let table = CSVTable(parsing: "a,b,c\r\n1,\"x,\ny\",3\r\n\r\n4\n5,6,7,8\n")
    #expect(table.header == ["a", "b", "c"])
    #expect(table.rows == [["1", "x,\ny", "3"], ["4", "", ""], ["5", "6", "7"]])
}

@Test func metricsWithoutEpisodesOrEmptyAreRejectedWithTheReason() {
    #expect(throws: RunReportError.malformedMetrics(path: "m.csv", reason: "the file is empty (expected a header line starting with `episodes`)")) {
        try MetricsTable(csv: "\n", source: "m.csv")
    }
    do {
        _ = try MetricsTable(csv: "step,successRate\n1,0.5\n", source: "m.csv")
        Issue.record("a file without an episodes column was accepted")
    } catch {
        #expect(String(describing: error).contains("no `episodes` column"))
    }
}

@Test func aHeaderWithoutRowsIsAnEmptyRun() throws {
    let table = try MetricsTable(csv: "episodes,step,phase,successRate\n", source: "m.csv")
    #expect(table.rowCount == 0)
    #expect(ReportCharts.charts(for: [RunData(name: "r", folder: URL(fileURLWithPath: "/r"), metrics: table, config: [], summary: nil)]).isEmpty)
}

@Test func configYAMLFlattensToDottedKeysInFileOrder() {
    let yaml = """
        # resolved config
        env: arith-python
        algo: "archer"   # quoted, with a comment
        seed: 7
        archer:
          gamma: 0.95
          critic:
            heads: 2
        tools:
        - python
        - 'it''s search'
        schedule:
          - name: warmup
            steps: 10
          - name: rl
            steps: 90
        prompt: |
          line one
          line two
        url: http://example.org/a#b
        """
    let entries = ConfigFlattener.flatten(yaml)
    #expect(entries.map(\.key) == [
        "env", "algo", "seed", "archer.gamma", "archer.critic.heads", "tools[0]", "tools[1]",
        "schedule[0].name", "schedule[0].steps", "schedule[1].name", "schedule[1].steps", "prompt", "url",
    ])
    #expect(entries.map(\.value) == [
        "arith-python", "archer", "7", "0.95", "2", "python", "it's search", "warmup", "10", "rl", "90",
        "line one\nline two", "http://example.org/a#b",
    ])
}

@Test func summaryFlattensWithTheContractKeysFirst() throws {
    let json = #"{"zeta": true, "checkpoint": "runs/a/checkpoints/final", "final": {"successRate": 0.8125, "meanReturn": 1}, "run": "a", "episodes": 640, "after": {"successRate": 0.8}, "before": {"successRate": 0.25}, "seeds": [1, 2]}"#
    let entries = try SummaryFlattener.flatten(Data(json.utf8), source: "summary.json")
    #expect(entries.map(\.key) == [
        "run", "episodes", "final.meanReturn", "final.successRate", "before.successRate", "after.successRate",
        "checkpoint", "seeds", "zeta",
    ])
    #expect(entries.map(\.value) == ["a", "640", "1", "0.8125", "0.25", "0.8", "runs/a/checkpoints/final", "[1, 2]", "true"])
    #expect(throws: RunReportError.self) { try SummaryFlattener.flatten(Data("[1]".utf8), source: "summary.json") }

    // Learners' evaluation blocks: an estimate with its confidence interval is one cell.
    let evaluated = #"{"after": {"greedy": {"mode": "greedy", "successRate": {"mean": 0.8125, "low": 0.7, "high": 0.9}}}}"#
    #expect(try SummaryFlattener.flatten(Data(evaluated.utf8), source: "summary.json") == [
        KeyValue(key: "after.greedy.mode", value: "greedy"), KeyValue(key: "after.greedy.successRate", value: "0.8125 [0.7, 0.9]"),
    ])
}

@Test func runFoldersLoadAndNameClashesAreResolvedByPath() throws {
    let root = try SyntheticRuns.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let a = try SyntheticRuns.write(in: root.appendingPathComponent("a"), name: "final")
    let b = try SyntheticRuns.write(in: root.appendingPathComponent("b"), name: "final", summary: false, config: false)
    let runs = try RunData.load(folders: [a, b])
    #expect(runs.map(\.name) == ["a/final", "b/final"])
    #expect(runs[0].summary?.first == KeyValue(key: "run", value: "final"))
    #expect(runs[0].config.map(\.key) == ["env", "algo", "seed", "archer.gamma", "archer.tau"])
    #expect(runs[1].summary == nil)
    #expect(runs[1].config.isEmpty)

    #expect(throws: RunReportError.missingMetrics(path: root.path)) { try RunData(folder: root) }
    #expect(throws: RunReportError.notARunFolder(path: root.appendingPathComponent("nope").path)) {
        try RunData(folder: root.appendingPathComponent("nope"))
    }
}
