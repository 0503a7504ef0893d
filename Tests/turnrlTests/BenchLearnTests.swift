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
