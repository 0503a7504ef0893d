import ArgumentParser

/// `turnrl bench`: performance measurements against peers measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against peers measured in the same run.",
        subcommands: [BenchSearchCommand.self])
}
