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
    #expect(try benchLearnExpertSuccess(["model.contextLength=64"]) == 0)
    #expect(try benchLearnExpertSuccess(["model.contextLength=1024"]) > 0.2)
}

/// With `--set policy=smollm2-135m` the expert row renders turns in SmolLM2's tokens under its
/// own 8,192-token context, so the GPT-2 setting that starves it above does not apply.
@Test(.enabled(if: ModelCatalog.named("smollm2-135m")?.isInstalled == true, "SmolLM2-135M is not installed: run `turnrl model fetch smollm2-135m`"))
func benchLearnsExpertRowPlaysInTheLLMPolicysContext() throws {
    #expect(try benchLearnExpertSuccess(["model.contextLength=64", "policy=smollm2-135m"]) > 0.2)
}

/// Greedy success of `bench learn --algos expert` on 8 arith-python test episodes.
private func benchLearnExpertSuccess(_ settings: [String]) throws -> Double {
    let arithPython = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Environments/arith-python").path
    struct Report: Decodable { struct Row: Decodable { struct Estimate: Decodable { var mean: Double }; var greedySuccess: Estimate }; var rows: [Row] }
    let result = try Shell.run(turnrlBinary().path, [
        "bench", "learn", "--envs", arithPython, "--algos", "expert", "--eval-episodes", "8", "--no-peer", "--json",
    ] + settings.flatMap { ["--set", $0] })
    #expect(result.status == 0, "stderr: \(result.stderr)")
    return try #require(JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8)).rows.first).greedySuccess.mean
}

/// An algorithm the policy cannot run is refused before any run starts, not hours later.
@Test func benchLearnRefusesPPOWithAnLLMPolicyBeforeAnyRun() throws {
    let result = try Shell.run(turnrlBinary().path, [
        "bench", "learn", "--algos", "bc,ppo", "--set", "policy=smollm2-135m", "--out", "/nonexistent/never-written"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("PPO needs --policy byte-gpt2"), "stderr: \(result.stderr)")
    #expect(result.stderr.contains("drop ppo from --algos"))
    #expect(!result.stderr.contains("bc · seed"))
}
