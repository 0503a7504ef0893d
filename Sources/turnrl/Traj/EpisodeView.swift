import EnvironmentKit
import Foundation
import Trajectories

/// Renders a stored episode turn by turn for the terminal: per turn the context size in tokens
/// (and how many tokens are new since the previous turn), summary turns and SUPO segments
/// marked, the messages that arrived, the reply, tool calls with arguments, results and
/// durations, and the reward.
struct EpisodeView {
    /// Longest message or tool output shown before it is cut with "…" (nil: never cut).
    var cut: Int? = 400

    func lines(_ episode: EpisodeRecordData) -> [String] {
        let rollout = SegmentedRollout(episode)
        var out = [
            "episode \(episode.id) · \(episode.environment) · task \(episode.taskID) (\(episode.split) split, seed \(episode.seed))",
            "status \(episode.status.rawValue)\(episode.infraError.map { " (\($0))" } ?? "") · return \(format(episode.episodeReturn)) · "
                + "\(episode.length) turns · \(rollout.summaryCount) summaries · \(rollout.segments.count) segments"
                + (rollout.maskReason.map { " · masked from updates: \($0.rawValue)" } ?? ""),
        ]
        var segmentStarts: [Int: Int] = [:]
        for (number, range) in rollout.segments.enumerated() { segmentStarts[range.lowerBound] = number }
        var previousLength = 0
        for (index, turn) in episode.turns.enumerated() {
            if let segment = segmentStarts[index], rollout.segments.count > 1 {
                out.append("")
                out.append(segment == 0 ? "── segment 1 ──" : "── segment \(segment + 1) (context rebuilt from the summary at turn \(index - 1)) ──")
            }
            out.append("")
            out.append(header(turn, index: index, previousLength: previousLength))
            previousLength = turn.contextTokens.count + turn.generatedTokens.count
            for message in turn.messagesBefore { out.append(contentsOf: block("\(message.role.rawValue):", message.content)) }
            out.append(contentsOf: block(turn.isSummary ? "assistant (summary):" : "assistant:", turn.utterance))
            for record in turn.toolCalls { out.append(contentsOf: toolLines(record)) }
        }
        return out
    }

    private func header(_ turn: TurnRecord, index: Int, previousLength: Int) -> String {
        let context = turn.contextTokens.count
        // New tokens since the previous turn's context + reply; a compacted context is smaller.
        let delta = context >= previousLength ? "+\(context - previousLength)" : "compacted from \(previousLength)"
        let meanLogProb = turn.logProbs.isEmpty ? "" : String(format: ", mean log-prob %.3f", turn.logProbs.reduce(0, +) / Float(turn.logProbs.count))
        return "turn \(index)\(turn.isSummary ? " [SUMMARY]" : "") · context \(context) tokens (\(delta)) · "
            + "generated \(turn.generatedTokens.count) tokens\(meanLogProb) · reward \(format(turn.reward))"
    }

    private func toolLines(_ record: ToolCallRecord) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let arguments = (try? encoder.encode(record.call.arguments)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        let status = record.isError ? "error" : "ok"
        return ["  tool \(record.call.name) \(shown(arguments)) · \(String(format: "%.1f", record.durationMs)) ms · \(status)"]
            + block("  result:", record.output)
    }

    /// "label text", continuation lines indented under it.
    private func block(_ label: String, _ text: String) -> [String] {
        let trimmed = String(text.reversed().drop(while: \.isNewline).reversed())
        let lines = shown(trimmed).split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first else { return ["  \(label)"] }
        return ["  \(label) \(first)"] + lines.dropFirst().map { "      \($0)" }
    }

    private func shown(_ text: String) -> String {
        guard let cut, text.count > cut else { return text }
        return String(text.prefix(cut)) + "… (\(text.count - cut) more characters; --full shows all)"
    }

    private func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
