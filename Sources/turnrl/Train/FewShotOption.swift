import ArgumentParser
import EnvironmentKit
import Trajectories

/// `--few-shot N` for the commands that run a policy on an environment (`eval`, `play`); `train`
/// takes the same setting as `--set fewShot=N`.
struct FewShotOption: ParsableArguments {
    @Option(
        name: .customLong("few-shot"),
        help: "Show N worked examples before every task: successful expert episodes on train tasks, as real chat turns (0: none).")
    var count: Int = 0

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--few-shot must be 0 or more") }
    }

    /// Loads the environment (`EnvironmentOptions.load`) with the worked examples in its context
    /// settings; the environment is shut down again if the examples cannot be collected.
    func load(_ nameOrPath: String, with options: EnvironmentOptions) async throws -> any EnvironmentProvider {
        let loaded = try await options.load(nameOrPath)
        do { return try await WorkedExamples.provider(loaded, count: count) } catch {
            await loaded.shutdown()
            throw error
        }
    }
}
