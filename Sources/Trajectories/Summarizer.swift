import EnvironmentKit
import Foundation

/// Writes the summary of a working context when the policy itself cannot (a scripted or external
/// policy that is not trained): the builder's summary turn is then filled by a `Summarizer`.
public protocol Summarizer: Sendable {
    /// Returns the summary text for `messages` (the working context ending with the summary request).
    func summarize(_ messages: [ChatMessage]) async throws -> String
}

/// An extractive fallback: keeps the most recent informative lines of the history (lines with a
/// digit or a "key: value" / "key = value" shape) within a token budget, in their original order.
/// No model involved; it loses what is not on such a line, which is why a trained policy's own
/// summary is preferred.
public struct ExtractiveSummarizer: Summarizer {
    /// Token budget of the summary text.
    public var maxTokens: Int
    private let tokenizer: any ContextTokenizer

    public init(maxTokens: Int = 192, tokenizer: any ContextTokenizer) {
        self.maxTokens = maxTokens
        self.tokenizer = tokenizer
    }

    public func summarize(_ messages: [ChatMessage]) async throws -> String {
        // Skip the system prompt, the task, and the summary request itself; previous summaries stay in.
        let history = messages.dropFirst(2).filter { !$0.content.hasPrefix("[summarize]") }
        var lines: [String] = []
        var seen = Set<String>()
        for message in history {
            for raw in message.content.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                guard Self.isInformative(line), seen.insert(line).inserted else { continue }
                lines.append(line)
            }
        }
        var kept: [String] = []
        var used = 0
        for line in lines.reversed() {
            let cost = tokenizer.tokens(for: ChatMessage(role: .assistant, content: line + "\n")).count
            if used + cost > maxTokens { break }
            used += cost
            kept.append(line)
        }
        return "Summary:\n" + kept.reversed().joined(separator: "\n")
    }

    static func isInformative(_ line: String) -> Bool {
        !line.isEmpty && (line.contains(where: \.isNumber) || line.contains(": ") || line.contains(" = "))
    }
}
