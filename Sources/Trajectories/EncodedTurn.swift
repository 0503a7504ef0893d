import EnvironmentKit
import Foundation
import GRDB

/// A turn in its on-disk form: context as (shared prefix length, suffix), BLOBs and JSON text.
struct EncodedTurn {
    var index: Int
    var prefixLength: Int
    var suffix: Data
    var generated: Data
    var logProbs: Data
    var reward: Double
    var toolCalls: String
    var isSummary: Bool
    var messagesBefore: String
    var utterance: String

    /// Encodes `turn`, sharing the longest common prefix of its context with the previous turn's
    /// context followed by what that turn generated (the usual case: context grows by one turn).
    /// `encoder` is shared by the turns of one append (making one per JSON column was a
    /// measurable share of append time).
    init(_ turn: TurnRecord, index: Int, previous: TurnRecord?, encoder: JSONEncoder = EncodedTurn.makeEncoder()) throws {
        guard turn.logProbs.count == turn.generatedTokens.count else {
            throw TrajectoryError.invalidEpisode(
                reason: "turn \(index) has \(turn.generatedTokens.count) generated tokens but \(turn.logProbs.count) log-probs")
        }
        self.index = index
        var shared = 0
        if let previous {
            shared = Self.commonPrefixLength(turn.contextTokens, previous.contextTokens, previous.generatedTokens)
        }
        prefixLength = shared
        suffix = TokenBlob.encode(tokens: Array(turn.contextTokens[shared...]))
        generated = TokenBlob.encode(tokens: turn.generatedTokens)
        logProbs = TokenBlob.encode(floats: turn.logProbs)
        reward = turn.reward
        toolCalls = try Self.json(turn.toolCalls, encoder)
        isSummary = turn.isSummary
        messagesBefore = try Self.json(turn.messagesBefore, encoder)
        utterance = turn.utterance
    }

    /// The token columns of a turn row, decoded, with the context rebuilt from the previous
    /// turn's (already decoded) context and generated tokens.
    static func decodeTokens(
        _ row: Row, episodeID: Int64, previous: (context: [Int32], generated: [Int32])?
    ) throws -> (context: [Int32], generated: [Int32], logProbs: [Float]) {
        let index: Int = row["idx"]
        func corrupt(_ reason: String) -> TrajectoryError {
            .corruptRow(table: "turns", id: episodeID, reason: "turn \(index): \(reason)")
        }
        guard let suffix = TokenBlob.decodeTokens(row["context_suffix"]),
            let generated = TokenBlob.decodeTokens(row["generated"]),
            let logProbs = TokenBlob.decodeFloats(row["logprobs"])
        else { throw corrupt("a token BLOB's length is not a multiple of 4") }
        let prefixLength: Int = row["context_prefix_len"]
        var context: [Int32] = []
        if prefixLength > 0 {
            guard let previous, previous.context.count + previous.generated.count >= prefixLength else {
                throw corrupt("shared prefix of \(prefixLength) tokens but the previous turn is shorter or missing")
            }
            context.reserveCapacity(prefixLength + suffix.count)
            context.append(contentsOf: previous.context.prefix(prefixLength))
            if prefixLength > previous.context.count {
                context.append(contentsOf: previous.generated.prefix(prefixLength - previous.context.count))
            }
        }
        context.append(contentsOf: suffix)
        return (context, generated, logProbs)
    }

    /// Rebuilds a turn from its row; `previous` is the already-decoded turn idx − 1.
    static func decode(_ row: Row, episodeID: Int64, previous: TurnRecord?) throws -> TurnRecord {
        let index: Int = row["idx"]
        func corrupt(_ reason: String) -> TrajectoryError {
            .corruptRow(table: "turns", id: episodeID, reason: "turn \(index): \(reason)")
        }
        let (context, generated, logProbs) = try decodeTokens(
            row, episodeID: episodeID, previous: previous.map { ($0.contextTokens, $0.generatedTokens) })
        let decoder = JSONDecoder()
        do {
            return TurnRecord(
                contextTokens: context, generatedTokens: generated, logProbs: logProbs, reward: row["reward"],
                toolCalls: try decoder.decode([ToolCallRecord].self, from: Data((row["tool_calls"] as String).utf8)),
                isSummary: row["is_summary"],
                messagesBefore: try decoder.decode([ChatMessage].self, from: Data((row["messages_before"] as String).utf8)),
                utterance: row["utterance"])
        } catch {
            throw corrupt("JSON column does not decode: \(error)")
        }
    }

    /// Length of the common prefix of `tokens` and the concatenation `first ++ second`.
    static func commonPrefixLength(_ tokens: [Int32], _ first: [Int32], _ second: [Int32]) -> Int {
        var n = 0
        let limit = min(tokens.count, first.count + second.count)
        while n < limit {
            let other = n < first.count ? first[n] : second[n - first.count]
            if tokens[n] != other { break }
            n += 1
        }
        return n
    }

    /// The encoder of the JSON columns: sorted keys, so equal values store equal text.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    private static func json<T: Encodable & Collection>(_ value: T, _ encoder: JSONEncoder) throws -> String {
        if value.isEmpty { return "[]" }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
