import Foundation
import RunReport
import Testing

@testable import turnrl

/// `bench learn` reads its throughput figures back from each run's metrics.csv.
@Test func benchLearnAveragesAColumnOverThePhasesAsked() throws {
    let metrics = try MetricsTable(csv: """
        episodes,step,phase,tokensPerSecond,sequenceTokens
        10,1,bc,1000,150
        10,2,bc,3000,
        20,3,rl,500
        30,4,rl,700,
        """, source: "test")
    #expect(BenchLearnCommand.mean(of: "sequenceTokens", phases: ["bc"], in: metrics) == 150)
    #expect(BenchLearnCommand.mean(of: "tokensPerSecond", phases: ["bc"], in: metrics) == 2000)
    // RL rows win over BC rows; a row shorter than the header (an older run) still counts up to its length.
    #expect(BenchLearnCommand.meanTokensPerSecond(metrics) == 600)
    #expect(BenchLearnCommand.mean(of: "sequenceTokens", phases: ["rl"], in: metrics) == nil)
    #expect(BenchLearnCommand.mean(of: "noSuchColumn", phases: ["bc"], in: metrics) == nil)
}

/// The expert row plays under the policies' context as --set gives it: at 64 tokens not even
/// arith-python's prompt fits, at 1,024 the expert solves its one-step tasks.
@Test func benchLearnsExpertRowUsesTheContextLengthSet() throws {
    let arithPython = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Environments/arith-python").path
    struct Report: Decodable { struct Row: Decodable { struct Estimate: Decodable { var mean: Double }; var greedySuccess: Estimate }; var rows: [Row] }
    func expertSuccess(contextLength: Int) throws -> Double {
        let result = try Shell.run(turnrlBinary().path, [
            "bench", "learn", "--envs", arithPython, "--algos", "expert", "--eval-episodes", "8",
            "--set", "model.contextLength=\(contextLength)", "--no-peer", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try #require(JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8)).rows.first).greedySuccess.mean
    }
    #expect(try expertSuccess(contextLength: 64) == 0)
    #expect(try expertSuccess(contextLength: 1024) > 0.2)
}
