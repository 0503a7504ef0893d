import ArgumentParser
import EnvironmentKit
import Foundation

/// `turnrl env show NAME`: the manifest, tools with their schemas, and a sample task.
struct EnvShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an environment: manifest, system prompt, tools (with schemas), a sample task.")

    @Argument(help: "Environment name or folder.")
    var name: String

    @OptionGroup var options: EnvironmentOptions

    func run() async throws {
        let provider = try await options.load(name)
        let spec = provider.spec
        print("\(spec.name) \(spec.version) — \(spec.description)")
        print("source: \(provider.source)")
        print("action format: \(spec.actionFormat.rawValue); max turns: \(spec.maxTurns.map(String.init) ?? "none"); context: \(spec.context.budgetTokens) tokens, compaction \(spec.context.compaction.rawValue)")
        if spec.wrongAnswer == .continue { print("wrong answers: continue (only a right answer ends the episode)") }
        print("tasks: train \(provider.tasks.train.count), test \(provider.tasks.test.count); expert: \(provider.expert == nil ? "no" : "yes")")
        let kinds = Dictionary(grouping: provider.tasks.test, by: \.kind).map { "\($0.key) \($0.value.count)" }.sorted()
        print("test task kinds: \(kinds.joined(separator: ", "))")
        print("\ntools:")
        for tool in spec.tools {
            print("  \(tool.name): \(tool.description)")
            print("    arguments: \(String(describing: tool.argumentsSchema))")
        }
        print("\nsystem prompt:\n\(spec.systemPrompt)")
        if let task = provider.tasks.train.first {
            print("\nsample task (\(task.id), kind \(task.kind)):\n\(task.prompt)\nanswer: \(task.answer)")
        }
        await provider.shutdown()
    }
}
