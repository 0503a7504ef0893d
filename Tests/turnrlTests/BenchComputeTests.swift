import Foundation
import Testing

@testable import turnrl

/// `bench compute --json` prints one object with the fields the README table is built from; a
/// tiny run (64×64 sgemm, no kernels) keeps this fast.
@Test func benchComputeJSONHasSgemmRatiosAndCoreType() throws {
    let output = try Shell.run(turnrlBinary().path,
                               ["bench", "compute", "--json", "--sizes", "64,96", "--rounds", "1", "--seconds", "0.01", "--skip-kernels"])
    #expect(output.status == 0, "stderr: \(output.stderr)")
    let report = try JSONDecoder().decode(BenchComputeCommand.Report.self, from: Data(output.stdout.utf8))
    #expect(report.sgemm.map(\.n) == [64, 96])
    for row in report.sgemm {
        #expect(row.swiftGflops > 0 && row.cGflops > 0)
        #expect(abs(row.ratio - row.swiftGflops / row.cGflops) < 1e-9)
    }
    #expect(!report.openblasCoreType.isEmpty && report.openblasCoreType != "unknown")
    // The caller's own choice; turnrl's (when OpenBLAS detected less than the CPU runs) is told apart.
    #expect(report.openblasCoreTypeFromEnvironment == ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"])
    if let detected = report.openblasCoreTypeDetected { #expect(detected != report.openblasCoreType) }
    #expect(report.kernels.isEmpty && report.peakRSSMiB > 0)
}

@Test func benchComputeRejectsBadSizes() throws {
    let output = try Shell.run(turnrlBinary().path, ["bench", "compute", "--sizes", "64,x"])
    #expect(output.status != 0)
    #expect(output.stderr.contains("--sizes"))
}
