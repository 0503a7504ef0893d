import Foundation
import Testing

@testable import turnrl

/// `turnrl report` end to end on run folders written here in the run-folder format (see
/// docs/ARCHITECTURE.md); RunReportTests cover the page itself and render it in a browser.
@Suite struct ReportCommandTests {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-report-\(UUID().uuidString)")
        for (name, success) in [("bc", 0.4), ("archer", 0.8)] {
            let run = root.appendingPathComponent("runs/\(name)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let csv = "episodes,step,phase,successRate,criticLoss\n8,1,rl,0.2,1.0\n16,2,rl,\(success),0.5\n16,2,eval,\(success),\n"
            try csv.write(to: run.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
            try "algo: \(name)\nseed: 0\n".write(to: run.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        }
    }

    func report(_ arguments: [String]) throws -> Shell.Output {
        let process = Process()
        process.executableURL = turnrlBinary()
        process.arguments = ["report"] + arguments
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Shell.Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func oneRunWritesItsReportInsideTheRunFolderAndPrintsThePath() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let output = try report(["runs/bc"])
        #expect(output.status == 0, "\(output.stderr)")
        let expected = root.appendingPathComponent("runs/bc/report.html").standardizedFileURL.path
        #expect(output.stdout.trimmed == expected)
        let html = try String(contentsOfFile: expected, encoding: .utf8)
        #expect(html.contains("data-metric=\"successRate\"") && html.contains("data-metric=\"criticLoss\""))
    }

    @Test func severalRunsGoToTheWorkingDirectoryOrOutAndJSONSaysWhat() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let plain = try report(["runs/bc", "runs/archer"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.trimmed == root.appendingPathComponent("report.html").standardizedFileURL.path)

        let json = try report(["runs/bc", "runs/archer", "--out", "cmp/both.html", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        struct Result: Decodable { let report: String; let runs: [String]; let charts: [String]; let curves: Int }
        let result = try JSONDecoder().decode(Result.self, from: Data(json.stdout.utf8))
        #expect(result.report == root.appendingPathComponent("cmp/both.html").standardizedFileURL.path)
        #expect(result.runs == ["bc", "archer"])
        #expect(result.charts == ["successRate", "criticLoss"])
        #expect(result.curves == 6)  // success: 2 runs × (training + eval); critic loss: 2 runs
        #expect(FileManager.default.fileExists(atPath: result.report))
    }

    @Test func aFolderWithoutMetricsIsAClearError() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let output = try report(["runs"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("has no metrics.csv"))
        let none = try report([])
        #expect(none.status != 0)
        #expect(none.stderr.contains("at least one run folder"))
    }
}
