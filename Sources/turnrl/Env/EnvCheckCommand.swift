import ArgumentParser
import EnvironmentKit
import Foundation

/// `turnrl env check (NAME|DIR)`: validate, run the expert, check determinism and the split.
struct EnvCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate an environment and run its expert: determinism, split, reward statistics.",
        discussion: """
            Loads the manifest (errors name file, line and field), imports its Python files, checks \
            that train and test share no ids or prompts, that reset(seed) and whole expert episodes \
            replay identically, runs the expert on --episodes seeds of the --split, and reports reward \
            statistics and, per task kind, the expert's success and how often its first action is \
            the task's first_action. Without --json it then replays the expert as a policy sees the \
            episode, through the context builder under the manifest's budget and compaction mode \
            (the expert writes the summaries), and reports that success per kind: what a cloned \
            policy can reach. Exits 1 when any check fails. --json prints the CheckReport: \
            {"name","version","source","ok","checks":[{"name","ok","detail"}],"split","expertReturns",\
            "kinds":[...],"trainTasks","testTasks"}.
            """)

    @Argument(help: "Environment name or folder.")
    var name: String

    @Option(help: "Expert episodes (seeds 0..<N).")
    var episodes = 20

    @Option(help: "Split the expert plays: train or test.")
    var split: String = "test"

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var options: EnvironmentOptions

    func run() async throws {
        guard let split = Split(rawValue: split) else { throw ValidationError("--split must be train or test") }
        let provider: any EnvironmentProvider
        do {
            provider = try await options.load(name)
        } catch {
            if json {
                try JSONOutput.print(CheckReport.failedToLoad(name, detail: "\(error)", split: split))
            } else {
                print("FAIL manifest: \(error)")
            }
            throw ExitCode(1)
        }
        let report = await EnvironmentChecker.check(provider, episodes: episodes, split: split)
        if json {
            try JSONOutput.print(report)
        } else {
            printHuman(report)
            if report.ok {
                do {
                    try await BudgetedExpertCheck.run(provider, seeds: 0..<UInt64(max(0, episodes)), split: split)
                } catch {
                    print("\nexpert under the context budget: not measured (\(error))")
                }
            }
        }
        await provider.shutdown()
        if !report.ok { throw ExitCode(1) }
    }

    func printHuman(_ report: CheckReport) {
        print("\(report.name) \(report.version) (\(report.source))")
        for check in report.checks { print("\(check.ok ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
        if let r = report.expertReturns {
            print(String(format: "\nexpert on %d %@ episodes: return mean %.3f ± %.3f (min %.3f, max %.3f), success %.0f%%, %.1f turns",
                         r.episodes, report.split, r.mean, r.std, r.min, r.max, r.successRate * 100, r.meanTurns))
            printTable(
                ["KIND", "EPISODES", "SUCCESS", "MEAN RETURN", "FIRST ACTION", "TAKEN"],
                report.kinds.map { kind in
                    [kind.kind, String(kind.episodes), String(format: "%.0f%% (%d)", kind.successRate * 100, kind.successes), String(format: "%.3f", kind.meanReturn),
                     kind.firstActionExpected ?? "-", kind.firstActionRate.map { String(format: "%.0f%% (%d/%d)", $0 * 100, kind.firstActionHits, kind.firstActionEpisodes) } ?? "-"]
                })
        }
        print(report.ok ? "\nall checks passed" : "\nsome checks FAILED")
    }
}
