import Foundation
import Testing

/// `turnrl serve` driven by real Python clients: OpenEnv's own client and validator, the
/// Gymnasium adapter under Gymnasium's checker, and a script of bad input. Each test starts its
/// own server on 127.0.0.1 and a free port and stops it.
@Suite(.serialized) struct PythonClientTests {
    @Test func openEnvClientPlaysArithPythonAndValidatePasses() throws {
        let server = try ServedProcess.start("arith-python")
        defer { server.stop() }
        let episodes = try server.run(["openenv_episodes.py", server.url, "arith-python", "6"])
        #expect(episodes.status == 0, "\(episodes.stdout)\n\(episodes.stderr)")
        let summary = try lastJSONLine(episodes.stdout)
        #expect(summary["episodes"] as? Int == 6)
        // The test policy runs the expression in Python and copies the output: always right.
        #expect(summary["successes"] as? Int == 6, "\(summary)")
        #expect(summary["tool_calls"] as? Int == 6 && summary["steps"] as? Int == 12, "\(summary)")

        let validate = try server.run(["openenv", "validate", "--url", server.url])
        #expect(validate.status == 0, "\(validate.stdout)\n\(validate.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(validate.stdout.utf8)) as? [String: Any]
        #expect(report?["passed"] as? Bool == true && report?["mode"] as? String == "simulation", "\(validate.stdout)")
        let summaryOfCriteria = report?["summary"] as? [String: Any]
        #expect(summaryOfCriteria?["passed_count"] as? Int == 6, "\(validate.stdout)")

        let log = server.stop()
        #expect(log.contains("server stopped") && log.contains("steps=12"), "\(log)")
    }

    @Test func openEnvClientPlaysGuessCountry() throws {
        let server = try ServedProcess.start("guess-country")
        defer { server.stop() }
        let episodes = try server.run(["openenv_episodes.py", server.url, "guess-country", "4"])
        #expect(episodes.status == 0, "\(episodes.stdout)\n\(episodes.stderr)")
        let summary = try lastJSONLine(episodes.stdout)
        // Two questions then a guess: three steps, both questions answered by the ask tool.
        #expect(summary["episodes"] as? Int == 4 && summary["steps"] as? Int == 12 && summary["tool_calls"] as? Int == 8, "\(summary)")
    }

    @Test func gymnasiumCheckEnvPassesOnTheAdapter() throws {
        let server = try ServedProcess.start("arith-python")
        defer { server.stop() }
        let check = try server.run(["gym_check.py", server.url, "arith-python"])
        #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
        let summary = try lastJSONLine(check.stdout)
        #expect(summary["checked"] as? Bool == true && summary["terminated"] as? Bool == true && summary["success"] as? Bool == true, "\(summary)")
    }

    @Test func badInputCapacityAndIdleSessionsGetTheirDocumentedReplies() throws {
        let server = try ServedProcess.start("arith-python", ["--max-sessions", "3", "--idle-timeout", "1.5", "--max-message-bytes", "4096"])
        defer { server.stop() }
        let run = try server.run(["protocol_errors.py", server.url])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let log = server.stop()
        #expect(log.contains("session reclaimed after idle timeout") && log.contains("session refused: capacity reached"), "\(log)")
    }
}
