import EnvironmentKit
import Foundation

/// One episode per JSON line in the chat-messages form TRL / verifiers-style trainers read:
/// `{"messages":[{"role","content"}],"reward":R,...}` plus, per turn, the exact token ids and
/// behaviour log-probs, so a trainer never has to re-tokenise the text.
///
/// Lossless: `JSONLExport.episode(fromLine:)` rebuilds the stored `EpisodeRecordData` exactly
/// (log-probs are written as the shortest decimal that reads back to the same Float32; non-finite
/// values as the strings "Infinity", "-Infinity", "NaN").
public enum JSONLExport {
    /// The line's top-level object.
    struct Line: Codable {
        var messages: [ChatMessage]
        var reward: Double
        var environment: String
        var taskID: String
        var split: String
        var seed: UInt64
        var status: EpisodeStatus
        var infraError: String?
        var turns: [Turn]

        enum CodingKeys: String, CodingKey {
            case messages, reward, environment, taskID = "task_id", split, seed, status, infraError = "infra_error", turns
        }
    }

    /// A turn's token fields; `assistantMessage` indexes its reply in `messages`.
    struct Turn: Codable {
        var assistantMessage: Int
        var contextTokens: [Int32]
        var generatedTokens: [Int32]
        var logprobs: [Float]
        var reward: Double
        var isSummary: Bool
        var toolCalls: [ToolCallRecord]

        enum CodingKeys: String, CodingKey {
            case assistantMessage = "assistant_message", contextTokens = "context_tokens",
                generatedTokens = "generated_tokens", logprobs, reward, isSummary = "is_summary", toolCalls = "tool_calls"
        }
    }

    /// Renders one episode as a single JSON line (no trailing newline).
    public static func line(for episode: EpisodeRecordData) throws -> String {
        var messages: [ChatMessage] = []
        var turns: [Turn] = []
        for turn in episode.turns {
            messages += turn.messagesBefore
            turns.append(Turn(
                assistantMessage: messages.count, contextTokens: turn.contextTokens, generatedTokens: turn.generatedTokens,
                logprobs: turn.logProbs, reward: turn.reward, isSummary: turn.isSummary, toolCalls: turn.toolCalls))
            messages.append(ChatMessage(role: .assistant, content: turn.utterance))
        }
        let line = Line(
            messages: messages, reward: episode.episodeReturn, environment: episode.environment, taskID: episode.taskID,
            split: episode.split, seed: episode.seed, status: episode.status, infraError: episode.infraError, turns: turns)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    /// Reads one line back into an episode (id 0: it is not stored yet). `lineNumber` is for errors.
    public static func episode(fromLine text: String, lineNumber: Int = 1) throws -> EpisodeRecordData {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let line: Line
        do { line = try decoder.decode(Line.self, from: Data(text.utf8)) } catch {
            throw TrajectoryError.badJSONL(line: lineNumber, reason: "\(error)")
        }
        var start = 0
        var turns: [TurnRecord] = []
        for (index, turn) in line.turns.enumerated() {
            guard turn.assistantMessage >= start, turn.assistantMessage < line.messages.count,
                line.messages[turn.assistantMessage].role == .assistant
            else {
                throw TrajectoryError.badJSONL(
                    line: lineNumber, reason: "turn \(index): assistant_message \(turn.assistantMessage) is not an assistant message after the previous turn")
            }
            turns.append(TurnRecord(
                contextTokens: turn.contextTokens, generatedTokens: turn.generatedTokens, logProbs: turn.logprobs,
                reward: turn.reward, toolCalls: turn.toolCalls, isSummary: turn.isSummary,
                messagesBefore: Array(line.messages[start..<turn.assistantMessage]),
                utterance: line.messages[turn.assistantMessage].content))
            start = turn.assistantMessage + 1
        }
        guard start == line.messages.count else {
            throw TrajectoryError.badJSONL(line: lineNumber, reason: "\(line.messages.count - start) messages after the last turn")
        }
        return EpisodeRecordData(
            environment: line.environment, taskID: line.taskID, split: line.split, seed: line.seed,
            episodeReturn: line.reward, status: line.status, infraError: line.infraError, turns: turns)
    }

    /// Writes every episode of `run` to `url`, one line each; returns the number written.
    @discardableResult
    public static func export(
        run: Int64, from store: TrajectoryStore, to url: URL, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> Int {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw TrajectoryError.database(path: url.path, operation: "create the JSONL file", underlying: "not writable")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        return try export(run: run, from: store, to: handle, progress: progress)
    }

    /// Writes every episode of `run` to `handle` (a file or standard output), one line each,
    /// reading one episode at a time; returns the number written.
    @discardableResult
    public static func export(
        run: Int64, from store: TrajectoryStore, to handle: FileHandle, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> Int {
        let ids = try store.episodeIDs(run: run)
        for (done, id) in ids.enumerated() {
            try handle.write(contentsOf: Data((try line(for: try store.episode(id: id)) + "\n").utf8))
            progress?(done + 1, ids.count)
        }
        return ids.count
    }

    /// Appends every line of the JSONL file at `url` to `run` as new episodes; returns their ids.
    public static func importJSONL(from url: URL, into store: TrajectoryStore, run: Int64) throws -> [Int64] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var ids: [Int64] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            ids.append(try store.appendEpisode(try episode(fromLine: String(line), lineNumber: index + 1), run: run))
        }
        return ids
    }
}
