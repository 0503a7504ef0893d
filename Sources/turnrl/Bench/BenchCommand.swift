import ArgumentParser

/// `turnrl bench`: speed measurements against peers measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure TurnRL's speed against peers in the same run (ratios, not absolute claims).",
        subcommands: [
            BenchComputeCommand.self, BenchPolicyCommand.self, BenchSandboxCommand.self,
            BenchSearchCommand.self, BenchEnvCommand.self, BenchTrajCommand.self, BenchServeCommand.self,
            BenchLearnCommand.self, BenchLlamaCommand.self,
        ])
}
