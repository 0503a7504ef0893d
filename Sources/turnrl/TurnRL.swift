import ArgumentParser

/// The `turnrl` command: the root of every subcommand.
@main
struct TurnRL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnrl",
        abstract: "Multi-turn reinforcement learning for tool-using language agents, on a CPU.",
        discussion: """
            Start with `turnrl doctor` to see whether this machine has what TurnRL needs, then:
              turnrl env list                              the environments you can train on
              turnrl play arith-python --policy expert     step through an episode
              turnrl train --env arith-python --algo archer --out runs/first
              turnrl eval --env arith-python --checkpoint runs/first/checkpoints/final
              turnrl report runs/first                     learning curves as one HTML page
            """,
        version: TurnRLVersion.string,
        subcommands: [
            DoctorCommand.self, EnvCommand.self, PlayCommand.self, TrainCommand.self, EvalCommand.self,
            ReportCommand.self, TrajCommand.self, ServeCommand.self, ModelCommand.self, ToolCommand.self,
            IndexCommand.self, BenchCommand.self,
        ]
    )

    static func main() async {
        OpenBLASEnvironment.reexecIfNeeded()
        await main(nil)
    }
}
