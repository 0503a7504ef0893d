import Foundation
import PolicyModels
import Testing

@testable import turnrl

/// `bench llama --json` on SmolLM2 with tiny sizes: every figure of the table, and the
/// batched-generation ratio against sgemm as the two rates it divides, the turn cache's ratio.
@Test(.enabled(if: ModelCatalog.named("smollm2-135m")?.isInstalled == true, "SmolLM2-135M is not installed: run `turnrl model fetch smollm2-135m`"))
func benchLlamaJSONHasEveryFigureAndTheBatchedRatio() throws {
    let output = try Shell.run(turnrlBinary().path, [
        "bench", "llama", "--json", "--no-peer", "--rounds", "1", "--prompt-tokens", "16", "--gen-tokens", "4", "--gen-batch", "4"])
    #expect(output.status == 0, "stderr: \(output.stderr)")
    let report = try JSONDecoder().decode(BenchLlamaCommand.Report.self, from: Data(output.stdout.utf8))
    for key in ["promptTokensPerSecond", "generatedTokensPerSecond", "loraTrainTokensPerSecond",
                "batchGeneratedTokensPerCPUSecond", "sgemmBatchGeneratedTokensPerCPUSecond",
                "multiTurnSecondsWithTurnCache", "multiTurnSecondsRereading"] {
        #expect((report.turnrl[key] ?? 0) > 0, "\(key)")
    }
    let ratio = try #require(report.ratios["batchGenerationVsSgemmPerCPUSecond"])
    let expected = report.turnrl["batchGeneratedTokensPerCPUSecond"]! / report.turnrl["sgemmBatchGeneratedTokensPerCPUSecond"]!
    #expect(abs(ratio - expected) < 1e-9 * expected)
    #expect((report.ratios["turnCacheVsRereadingPerCPUSecond"] ?? 0) > 0)
    #expect(report.peer == nil && report.peerNote.contains("--no-peer"))
}
