import ArgumentParser

/// The `turnrl` command: the root of every subcommand.
@main
struct TurnRL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnrl",
        abstract: "Multi-turn reinforcement learning for tool-using language agents, on a CPU.",
        discussion: """
            Start with `turnrl doctor` to see whether this machine has what TurnRL needs.

            Planned, not available in this build yet (each arrives with its own issue):
              train    Train a policy on an environment (ArCHer, turn-level GRPO, PPO, BC).
              eval     Evaluate a policy with confidence intervals.
              serve    Serve environments over the OpenEnv protocol.
              traj     Show and export stored trajectories.
              report   Summarise a training run.
            """,
        version: TurnRLVersion.string,
        subcommands: [DoctorCommand.self, ToolCommand.self, IndexCommand.self, BenchCommand.self, EnvCommand.self, PlayCommand.self,
                      ModelCommand.self]
    )
}
