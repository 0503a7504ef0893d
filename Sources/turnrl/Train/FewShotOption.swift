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

    /// `provider` with the worked examples in its context settings (unchanged for 0).
    func apply(to provider: any EnvironmentProvider) async throws -> any EnvironmentProvider {
        guard count > 0 else { return provider }
        let examples = try await WorkedExamples.fromExpert(provider, count: count)
        return WorkedExamples.provider(provider, examples: examples)
    }
}
