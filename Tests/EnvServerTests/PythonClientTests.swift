import Foundation
import Testing

/// `turnrl serve` driven by real Python clients: OpenEnv's own client and validator, the
/// Gymnasium adapter under Gymnasium's checker, and a script of bad input. Each test starts its
/// own server on 127.0.0.1 and a free port and stops it.
@Suite(.serialized) struct PythonClientTests {
    /// One Python process for both environments: importing openenv-core takes seconds.
    @Test func openEnvClientPlaysTwoEnvironmentsAndValidatePasses() throws {
        let arith = try ServedProcess.start("arith-python")
        defer { arith.stop() }
        let guess = try ServedProcess.start("guess-country")
        defer { guess.stop() }
        let run = try arith.run(["openenv_checks.py", "4", "\(arith.url)=arith-python", "\(guess.url)=guess-country"], timeout: 180)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let results = try lastJSONLine(run.stdout)
        let arithSummary = try #require(results["arith-python"] as? [String: Any])
        // The arith policy runs the expression in Python and copies the output: always right.
        #expect(arithSummary["episodes"] as? Int == 4 && arithSummary["successes"] as? Int == 4, "\(arithSummary)")
        #expect(arithSummary["tool_calls"] as? Int == 4 && arithSummary["steps"] as? Int == 8, "\(arithSummary)")
        // guess-country: two questions (answered by the ask tool), then candidates named in order.
        // Every turn costs -1 except a right guess (0), so the returns add up to successes - steps.
        let guessSummary = try #require(results["guess-country"] as? [String: Any])
        let guessSteps = try #require(guessSummary["steps"] as? Int)
        let guessReturns = try #require(guessSummary["returns"] as? [Double])
        let guessSuccesses = try #require(guessSummary["successes"] as? Int)
        #expect(guessSummary["episodes"] as? Int == 4 && guessSummary["tool_calls"] as? Int == 8, "\(guessSummary)")
        #expect((guessSummary["problems"] as? [Any])?.isEmpty == true && guessSteps >= 12 && guessSteps <= 80, "\(guessSummary)")
        #expect(guessReturns.reduce(0, +) == Double(guessSuccesses - guessSteps), "\(guessSummary)")
        for summary in [arithSummary, guessSummary] {
            let report = try #require(summary["validate"] as? [String: Any])
            let criteria = report["summary"] as? [String: Any]
            #expect(report["passed"] as? Bool == true && report["mode"] as? String == "simulation" && criteria?["passed_count"] as? Int == 6, "\(report)")
        }
        let log = arith.stop()
        #expect(log.contains("server stopped") && log.contains("steps=8"), "\(log)")
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
        let server = try ServedProcess.start("arith-python", ["--max-sessions", "3", "--idle-timeout", "3", "--max-message-bytes", "4096"])
        defer { server.stop() }
        let run = try server.run(["protocol_errors.py", server.url])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let log = server.stop()
        #expect(log.contains("session reclaimed after idle timeout") && log.contains("session refused: capacity reached"), "\(log)")
    }
}
