import ArgumentParser
import Foundation
import Trajectories

/// `turnrl traj export RUN --format jsonl [--out FILE]`.
struct TrajExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a run's episodes, one per line, in the chat-messages form other trainers read.",
        discussion: """
            Each line: {"messages":[{"role","content"}…], "reward", "environment", "task_id", \
            "split", "seed", "status", "turns":[{"assistant_message", "context_tokens", \
            "generated_tokens", "logprobs", "reward", "is_summary", "tool_calls"}…]} — the \
            messages for TRL / verifiers-style trainers, the token fields so nothing is \
            re-tokenised. Lossless: every stored field reads back exactly. Every episode is \
            written, whatever its status; filter on "status" (terminated, truncated, \
            infra_error, masked) when training.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl }

    @OptionGroup var target: TrajRunOptions

    @Option(help: "Output format (jsonl).")
    var format: Format = .jsonl

    @Option(help: "Write to FILE instead of standard output.")
    var out: String?

    func run() throws {
        let (store, run) = try target.open()
        guard let out else {
            try JSONLExport.export(run: run.id, from: store, to: FileHandle.standardOutput)
            return
        }
        let bar = ProgressBar(label: "exporting")
        let count = try JSONLExport.export(run: run.id, from: store, to: URL(fileURLWithPath: out)) { done, total in
            if total >= 200 { bar.update(done: done, total: total) }
        }
        bar.finish()
        FileHandle.standardError.write(Data("wrote \(count) episodes of run \(run.id) (\(run.name)) to \(out)\n".utf8))
    }
}
