import ArgumentParser

/// `turnrl bench`: measure TurnRL's speed against peers, in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against peers measured in the same run.",
        subcommands: [BenchSandboxCommand.self])
}
