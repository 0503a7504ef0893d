import Foundation
import Testing
@testable import EnvironmentKit

/// The repository's own Environments/ through `turnrl env check`, as a user runs it: every
/// built-in loads, its expert plays without infrastructure errors, replays identically, and its
/// splits are disjoint. (Few episodes: the expert statistics themselves are in each README.)
@Suite(.serialized) struct BuiltinEnvironmentsTests {
    static var repositoryEnvironments: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Environments")
    }

    @Test func everyBuiltinPassesEnvCheck() throws {
        let registry = EnvironmentRegistry(builtinDirectory: Self.repositoryEnvironments, userFile: try Fixtures.temporaryFolder().appendingPathComponent("r.json"))
        let entries = try registry.entries()
        let names = entries.map(\.name)
        // The issue's four environments and the declarative example.
        for expected in ["arith-python", "knowledge-qa", "guess-country", "long-ledger", "corner-shop"] {
            #expect(names.contains(expected), "missing built-in \(expected); found \(names)")
        }
        let environment = ["TURNRL_ENVIRONMENTS": Self.repositoryEnvironments.path, "TURNRL_PYTHON": Fixtures.python]
        for entry in entries {
            #expect(entry.problem == nil, "\(entry.name): \(entry.problem ?? "")")
            let (status, out, err) = try Fixtures.run(["env", "check", entry.name, "--episodes", "2", "--workers", "1", "--json"], environment: environment)
            #expect(status == 0, "\(entry.name): \(out)\n\(err)")
            let report = try JSONDecoder().decode(CheckReport.self, from: Data(out.utf8))
            #expect(report.ok && report.checks.count >= 4, "\(entry.name): \(report.checks.filter { !$0.ok })")
        }
    }
}
